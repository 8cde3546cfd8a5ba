-- Comments on posts, with nested replies.
--
-- A reply names its parent comment and must be on the same post (a composite foreign key on
-- (parent_id, post_id)). Deleting a comment keeps its replies: their parent_id becomes null, so
-- they stay readable on the post as top-level comments (the deleted parent itself is gone).

-- TABLE ----------------------------------------------------------------------------------------
create table public.comments (
  id bigint generated always as identity primary key,
  post_id bigint not null references public.posts (id) on delete cascade,
  author_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  parent_id bigint,
  content text not null constraint comments_content_length check (char_length(btrim(content)) between 1 and 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint comments_id_post_id_key unique (id, post_id),
  constraint comments_parent_same_post_fkey foreign key (parent_id, post_id)
    references public.comments (id, post_id) on delete set null (parent_id)
);

comment on table public.comments is
  'Comments and replies. A reply is on its parent''s post; when a parent is deleted its replies remain with parent_id null.';

-- INDEXES --------------------------------------------------------------------------------------
-- A post's comments in order (and the post foreign key).
create index comments_post_id_created_at_id_idx on public.comments (post_id, created_at, id);
-- A comment's replies (and the parent foreign key).
create index comments_parent_id_post_id_idx on public.comments (parent_id, post_id);
-- A user's comments (and the author foreign key).
create index comments_author_id_created_at_idx on public.comments (author_id, created_at desc);

-- PRIVILEGES -----------------------------------------------------------------------------------
revoke all on table public.comments from anon, authenticated;
grant select on table public.comments to anon, authenticated;
grant insert (post_id, author_id, parent_id, content) on table public.comments to authenticated;
grant update (content) on table public.comments to authenticated;
grant delete on table public.comments to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.comments enable row level security;

create policy "Comments are viewable by everyone"
  on public.comments for select
  to anon, authenticated
  using (true);

create policy "Users can comment as themselves"
  on public.comments for insert
  to authenticated
  with check ((select auth.uid()) = author_id);

create policy "Authors can edit their own comments"
  on public.comments for update
  to authenticated
  using ((select auth.uid()) = author_id)
  with check ((select auth.uid()) = author_id);

-- One policy for both deleters (two permissive policies would be evaluated for every row).
create policy "Authors and the post's author can delete comments"
  on public.comments for delete
  to authenticated
  using (
    (select auth.uid()) = author_id
    or post_id in (select p.id from public.posts p where p.author_id = (select auth.uid()))
  );

-- FUNCTIONS ------------------------------------------------------------------------------------
-- A post whose author's profile is already gone (a cascading delete) is skipped: see
-- private.count_posts.
create or replace function private.count_comments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update public.posts set comment_count = comment_count + 1 where id = new.post_id;
  else
    update public.posts p set comment_count = comment_count - 1
     where p.id = old.post_id
       and exists (select 1 from public.profiles a where a.id = p.author_id);
  end if;
  return null;
end;
$$;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger count_comments
  after insert or delete on public.comments
  for each row execute function private.count_comments();

create trigger set_updated_at
  before update of content on public.comments
  for each row execute function private.set_updated_at();
