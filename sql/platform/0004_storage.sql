-- The storage schema as Supabase Storage's tenant migrations leave it for app code: buckets and
-- objects (RLS on, policies up to the app), the path helper functions used in storage policies
-- (foldername/filename/extension), search(), and the updated_at / bucket-name triggers.
-- Derived from supabase/storage migrations/tenant and supabase/postgres's storage init-script.

do $types$
begin
  create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
exception when duplicate_object then null;
end
$types$;

create table if not exists storage.buckets (
  id                 text not null,
  name               text not null,
  owner              uuid,
  created_at         timestamptz default now(),
  updated_at         timestamptz default now(),
  public             boolean default false,
  avif_autodetection boolean default false,
  file_size_limit    bigint,
  allowed_mime_types text[],
  owner_id           text,
  type               storage.buckettype not null default 'STANDARD',
  constraint buckets_pkey primary key (id)
);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
  id               uuid not null default gen_random_uuid(),
  bucket_id        text,
  name             text,
  owner            uuid,
  created_at       timestamptz default now(),
  updated_at       timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata         jsonb,
  path_tokens      text[] generated always as (string_to_array(name, '/')) stored,
  version          text,
  owner_id         text,
  user_metadata    jsonb,
  constraint objects_pkey primary key (id),
  constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, name collate "C");
create index if not exists idx_objects_bucket_id_name_lower on storage.objects (bucket_id, lower(name) collate "C");

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- ---------------------------------------------------------------- helper functions
-- 'a/b/c.png' -> {a,b}
create or replace function storage.foldername(name text)
returns text[]
language plpgsql immutable
as $fn$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$fn$;

-- 'a/b/c.png' -> 'c.png'
create or replace function storage.filename(name text)
returns text
language plpgsql
as $fn$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$fn$;

-- 'a/b/c.tar.gz' -> 'gz'
create or replace function storage.extension(name text)
returns text
language plpgsql immutable
as $fn$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$fn$;

-- Current storage API operation (set by the storage server per request), for use in policies.
create or replace function storage.operation()
returns text
language plpgsql stable
as $fn$
begin
  return current_setting('storage.operation', true);
end
$fn$;

create or replace function storage.get_size_by_bucket()
returns table (size bigint, bucket_id text)
language plpgsql stable
as $fn$
begin
  return query
    select sum((obj.metadata ->> 'size')::bigint) as size, obj.bucket_id
      from storage.objects as obj
     group by obj.bucket_id;
end
$fn$;

-- Folder-style listing of one level of a bucket (folders first, then files), as the dashboard uses.
create or replace function storage.search(
  prefix text,
  bucketname text,
  limits int default 100,
  levels int default 1,
  offsets int default 0,
  search text default '',
  sortcolumn text default 'name',
  sortorder text default 'asc'
)
returns table (
  name text,
  id uuid,
  updated_at timestamptz,
  created_at timestamptz,
  last_accessed_at timestamptz,
  metadata jsonb
)
language plpgsql stable
as $fn$
declare
  v_order_by text;
  v_sort_order text;
begin
  v_order_by := case sortcolumn
                  when 'updated_at' then 'updated_at'
                  when 'created_at' then 'created_at'
                  when 'last_accessed_at' then 'last_accessed_at'
                  else 'name'
                end;
  v_sort_order := case when sortorder = 'desc' then 'desc' else 'asc' end;

  return query execute
    'with folders as (
       select path_tokens[$1] as folder
         from storage.objects
        where objects.name ilike $2 || $3 || ''%''
          and bucket_id = $4
          and array_length(objects.path_tokens, 1) <> $1
        group by folder
        order by folder ' || v_sort_order || '
     )
     (select folder as "name", null::uuid as id, null::timestamptz as updated_at,
             null::timestamptz as created_at, null::timestamptz as last_accessed_at,
             null::jsonb as metadata
        from folders)
     union all
     (select path_tokens[$1] as "name", id, updated_at, created_at, last_accessed_at, metadata
        from storage.objects
       where objects.name ilike $2 || $3 || ''%''
         and bucket_id = $4
         and array_length(objects.path_tokens, 1) = $1
       order by ' || v_order_by || ' ' || v_sort_order || ')
     limit $5
     offset $6'
    using levels, prefix, search, bucketname, limits, offsets;
end
$fn$;

-- ---------------------------------------------------------------- triggers
create or replace function storage.update_updated_at_column()
returns trigger
language plpgsql
as $fn$
begin
  new.updated_at = now();
  return new;
end
$fn$;

create or replace function storage.enforce_bucket_name_length()
returns trigger
language plpgsql
as $fn$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
  end if;
  return new;
end
$fn$;

create or replace trigger update_objects_updated_at
  before update on storage.objects
  for each row execute function storage.update_updated_at_column();

create or replace trigger enforce_bucket_name_length_trigger
  before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

-- ---------------------------------------------------------------- ownership & grants
alter type storage.buckettype owner to supabase_storage_admin;
alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.operation() owner to supabase_storage_admin;
alter function storage.get_size_by_bucket() owner to supabase_storage_admin;
alter function storage.search(text, text, int, int, int, text, text, text) owner to supabase_storage_admin;
alter function storage.update_updated_at_column() owner to supabase_storage_admin;
alter function storage.enforce_bucket_name_length() owner to supabase_storage_admin;

-- The API roles get every table privilege; the RLS policies an app writes decide the rest.
grant all on table storage.buckets, storage.objects to anon, authenticated, service_role, postgres;
grant all on all sequences in schema storage to dashboard_user;
grant all on all routines in schema storage to postgres, anon, authenticated, service_role, dashboard_user;

-- Objects created later in storage (by the storage server's role or by postgres) follow suit.
alter default privileges for role supabase_storage_admin in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
