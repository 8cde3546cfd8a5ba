-- Posts: text up to 2000 characters, or media with optional text.

-- TABLE ----------------------------------------------------------------------------------------
create table public.posts (
  id bigint generated always as identity primary key,
  author_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  content text not null default ''
    constraint posts_content_length check (char_length(content) <= 2000),
  media_path text constraint posts_media_path_length check (char_length(media_path) between 1 and 500),
  media_type text constraint posts_media_type_check check (media_type in ('image', 'video')),
  like_count integer not null default 0 constraint posts_like_count_nonnegative check (like_count >= 0),
  comment_count integer not null default 0 constraint posts_comment_count_nonnegative check (comment_count >= 0),
  -- Full-text document, kept by Postgres itself (search_posts reads it through a GIN index).
  fts tsvector generated always as (to_tsvector('english'::regconfig, content)) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint posts_content_or_media check (char_length(btrim(content)) >= 1 or media_path is not null),
  constraint posts_media_complete check ((media_path is null) = (media_type is null))
);

comment on table public.posts is 'A post: 1-2000 characters of text unless it carries media. Counters are kept by triggers.';

-- INDEXES --------------------------------------------------------------------------------------
-- A profile's posts newest first, the feed's per-author probe, and the author foreign key.
create index posts_author_id_created_at_id_idx on public.posts (author_id, created_at desc, id desc);
-- Global recency (search candidates, explore).
create index posts_created_at_id_idx on public.posts (created_at desc, id desc);

-- PRIVILEGES -----------------------------------------------------------------------------------
revoke all on table public.posts from anon, authenticated;
grant select on table public.posts to anon, authenticated;
grant insert (author_id, content, media_path, media_type) on table public.posts to authenticated;
grant update (content, media_path, media_type) on table public.posts to authenticated;
grant delete on table public.posts to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.posts enable row level security;

create policy "Posts are viewable by everyone"
  on public.posts for select
  to anon, authenticated
  using (true);

create policy "Users can create posts as themselves"
  on public.posts for insert
  to authenticated
  with check ((select auth.uid()) = author_id);

create policy "Authors can update their own posts"
  on public.posts for update
  to authenticated
  using ((select auth.uid()) = author_id)
  with check ((select auth.uid()) = author_id);

create policy "Authors can delete their own posts"
  on public.posts for delete
  to authenticated
  using ((select auth.uid()) = author_id);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- Counter upkeep runs as the owner: clients cannot write counters themselves. A single
-- "x = x + 1" UPDATE row-locks the profile, so concurrent posts never lose an increment.
-- A profile whose auth user is already gone (the same delete is cascading through it) is left
-- alone: it is about to be deleted, and updating it twice in one transaction would make
-- Postgres re-check its foreign key against the deleted user.
create or replace function private.count_posts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update public.profiles set posts_count = posts_count + 1 where id = new.author_id;
  else
    update public.profiles p set posts_count = posts_count - 1
     where p.id = old.author_id
       and exists (select 1 from auth.users u where u.id = p.id);
  end if;
  return null;
end;
$$;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger count_posts
  after insert or delete on public.posts
  for each row execute function private.count_posts();

-- Only edits count as updates, not counter changes.
create trigger set_updated_at
  before update of content, media_path, media_type on public.posts
  for each row execute function private.set_updated_at();
