-- Profiles: one per auth user, created by a trigger on sign-up.

-- TABLE ----------------------------------------------------------------------------------------
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  -- Stored lower case: the check reads the text (case-sensitive) value, citext keeps lookups
  -- and uniqueness case-insensitive.
  username extensions.citext not null
    constraint profiles_username_format check (username::text ~ '^[a-z0-9_]{3,30}$'),
  display_name text constraint profiles_display_name_length check (char_length(display_name) <= 50),
  bio text constraint profiles_bio_length check (char_length(bio) <= 500),
  location text constraint profiles_location_length check (char_length(location) <= 100),
  website text constraint profiles_website_url check (
    char_length(website) <= 200 and website ~* '^https?://[^[:space:]/?#]+[^[:space:]]*$'
  ),
  avatar_url text constraint profiles_avatar_url_length check (char_length(avatar_url) <= 500),
  followers_count integer not null default 0 constraint profiles_followers_count_nonnegative check (followers_count >= 0),
  following_count integer not null default 0 constraint profiles_following_count_nonnegative check (following_count >= 0),
  posts_count integer not null default 0 constraint profiles_posts_count_nonnegative check (posts_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_username_key unique (username)
);

comment on table public.profiles is 'Public profile of each user; id is the auth user id. Counters are kept by triggers.';

-- INDEXES --------------------------------------------------------------------------------------
-- (id and username are indexed by their constraints; trigram search indexes come with search.)

-- PRIVILEGES -----------------------------------------------------------------------------------
-- Rows are created by the sign-up trigger and removed with the auth user: clients only read and
-- edit their own profile's editable columns; id and counters are out of reach.
revoke all on table public.profiles from anon, authenticated;
grant select on table public.profiles to anon, authenticated;
grant update (username, display_name, bio, location, website, avatar_url) on table public.profiles to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.profiles enable row level security;

create policy "Profiles are viewable by everyone"
  on public.profiles for select
  to anon, authenticated
  using (true);

create policy "Users can update their own profile"
  on public.profiles for update
  to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- Runs as the table owner because the inserting role (GoTrue's) has no rights on public.
-- A username from sign-up metadata is lower-cased and must be valid and free, or the sign-up
-- fails with the constraint's error; without one, a unique name is derived from the user id.
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  wanted text := nullif(btrim(new.raw_user_meta_data ->> 'username'), '');
begin
  insert into public.profiles (id, username, display_name, avatar_url)
  values (
    new.id,
    coalesce(lower(wanted), 'user_' || left(replace(new.id::text, '-', ''), 25)),
    nullif(left(btrim(coalesce(new.raw_user_meta_data ->> 'display_name', new.raw_user_meta_data ->> 'full_name')), 50), ''),
    nullif(left(new.raw_user_meta_data ->> 'avatar_url', 500), '')
  );
  return new;
end;
$$;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();

-- Only edits count as updates, not counter changes.
create trigger set_updated_at
  before update of username, display_name, bio, location, website, avatar_url on public.profiles
  for each row execute function private.set_updated_at();
