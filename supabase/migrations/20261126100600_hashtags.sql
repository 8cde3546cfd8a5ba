-- Hashtags, kept from the #tags in post content by a trigger (edits update them).

-- TABLE ----------------------------------------------------------------------------------------
create table public.hashtags (
  id bigint generated always as identity primary key,
  tag extensions.citext not null
    constraint hashtags_tag_format check (tag::text ~ '^[[:alnum:]_]{1,100}$'),
  created_at timestamptz not null default now(),
  constraint hashtags_tag_key unique (tag)
);

create table public.post_hashtags (
  post_id bigint not null references public.posts (id) on delete cascade,
  hashtag_id bigint not null references public.hashtags (id) on delete cascade,
  -- The post's created_at, copied so a tag's posts come newest first from one index.
  post_created_at timestamptz not null,
  primary key (hashtag_id, post_id)
);

comment on table public.hashtags is 'Every #tag ever used, lower case. Maintained by a trigger on posts.';
comment on table public.post_hashtags is 'Which post uses which #tag. Maintained by a trigger on posts.';

-- INDEXES --------------------------------------------------------------------------------------
-- posts_by_hashtag: a tag's posts newest first.
create index post_hashtags_hashtag_id_post_created_at_idx on public.post_hashtags (hashtag_id, post_created_at desc, post_id desc);
-- The post foreign key (a post's tags, replaced on edit).
create index post_hashtags_post_id_idx on public.post_hashtags (post_id);
-- trending_hashtags: the tags of recent posts.
create index post_hashtags_post_created_at_idx on public.post_hashtags (post_created_at desc);

-- PRIVILEGES -----------------------------------------------------------------------------------
-- Read-only for clients: only the trigger writes.
revoke all on table public.hashtags, public.post_hashtags from anon, authenticated;
grant select on table public.hashtags, public.post_hashtags to anon, authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.hashtags enable row level security;
alter table public.post_hashtags enable row level security;

create policy "Hashtags are viewable by everyone"
  on public.hashtags for select
  to anon, authenticated
  using (true);

create policy "Post hashtags are viewable by everyone"
  on public.post_hashtags for select
  to anon, authenticated
  using (true);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- With search_path = '' a bare "=" between citext values would resolve to text's (case-sensitive,
-- and blind to the citext unique index): citext comparisons name extensions.= explicitly.

-- The #tags of a text: '#' at the start or after a non-word character, then 1-100 word
-- characters; lower case, without duplicates.
create or replace function private.extract_hashtags(content text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct lower(m[1])), '{}')
    from regexp_matches(content, '(?:^|[^[:alnum:]_&/])#([[:alnum:]_]{1,100})', 'g') as m;
$$;

create or replace function private.sync_post_hashtags()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tags text[] := private.extract_hashtags(new.content);
begin
  if tg_op = 'UPDATE' then
    delete from public.post_hashtags ph
     using public.hashtags h
     where ph.post_id = new.id
       and h.id = ph.hashtag_id
       and h.tag::text <> all (tags);
  end if;
  if cardinality(tags) > 0 then
    insert into public.hashtags (tag)
    select t from unnest(tags) as t
    order by t
    on conflict (tag) do nothing;
    insert into public.post_hashtags (post_id, hashtag_id, post_created_at)
    select new.id, h.id, new.created_at
      from public.hashtags h
     where h.tag operator(extensions.=) any (tags::extensions.citext[])
    on conflict do nothing;
  end if;
  return null;
end;
$$;

-- A tag's posts, newest first ('#Tag' and 'tag' are the same tag). The tag's id is looked up
-- first, so the plan walks that tag's slice of the (hashtag_id, post_created_at) index.
create or replace function public.posts_by_hashtag(tag text)
returns setof public.posts
language sql
stable
set search_path = ''
as $$
  select p.*
    from public.post_hashtags ph
    join public.posts p on p.id = ph.post_id
   where ph.hashtag_id = (
           select h.id from public.hashtags h
            where h.tag operator(extensions.=) ltrim(btrim(posts_by_hashtag.tag), '#')::extensions.citext
         )
   order by ph.post_created_at desc, ph.post_id desc;
$$;

-- The most used tags of the last `hours` hours.
create or replace function public.trending_hashtags(hours integer default 24, max_tags integer default 10)
returns table (tag text, post_count bigint)
language sql
stable
set search_path = ''
as $$
  select h.tag::text, count(*) as post_count
    from public.post_hashtags ph
    join public.hashtags h on h.id = ph.hashtag_id
   where ph.post_created_at > now() - make_interval(hours => greatest(trending_hashtags.hours, 0))
   group by h.tag
   order by count(*) desc, h.tag
   limit greatest(trending_hashtags.max_tags, 0);
$$;

revoke execute on function public.posts_by_hashtag(text), public.trending_hashtags(integer, integer) from public;
grant execute on function public.posts_by_hashtag(text), public.trending_hashtags(integer, integer) to anon, authenticated, service_role;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger sync_post_hashtags
  after insert or update of content on public.posts
  for each row execute function private.sync_post_hashtags();
