-- Likes: one per user and post.

-- TABLE ----------------------------------------------------------------------------------------
-- user_id references the auth user (the same id as the liker's profile), not public.profiles:
-- PostgREST sees a table whose primary key is made of two foreign keys as a many-to-many
-- junction, and a likes -> profiles key would make posts <-> profiles ambiguous, breaking the
-- documented embed `rpc('feed').select('*, author:profiles(*)')` (PGRST201).
create table public.likes (
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  post_id bigint not null references public.posts (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, post_id)
);

comment on table public.likes is 'user_id likes post_id. posts.like_count is kept by a trigger.';

-- INDEXES --------------------------------------------------------------------------------------
-- Who liked a post, newest first, and the post foreign key. (The primary key serves the user.)
create index likes_post_id_created_at_idx on public.likes (post_id, created_at desc);

-- PRIVILEGES -----------------------------------------------------------------------------------
revoke all on table public.likes from anon, authenticated;
grant select on table public.likes to anon, authenticated;
grant insert (user_id, post_id) on table public.likes to authenticated;
grant delete on table public.likes to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.likes enable row level security;

create policy "Likes are viewable by everyone"
  on public.likes for select
  to anon, authenticated
  using (true);

create policy "Users can like posts as themselves"
  on public.likes for insert
  to authenticated
  with check ((select auth.uid()) = user_id);

create policy "Users can remove their own likes"
  on public.likes for delete
  to authenticated
  using ((select auth.uid()) = user_id);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- A post whose author's profile is already gone (a cascading delete) is skipped: see
-- private.count_posts.
create or replace function private.count_likes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update public.posts set like_count = like_count + 1 where id = new.post_id;
  else
    update public.posts p set like_count = like_count - 1
     where p.id = old.post_id
       and exists (select 1 from public.profiles a where a.id = p.author_id);
  end if;
  return null;
end;
$$;

-- "Did the caller like this post": a computed column, e.g. select=*,liked_by_me.
create or replace function public.liked_by_me(public.posts)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1 from public.likes l
     where l.post_id = $1.id
       and l.user_id = (select auth.uid())
  );
$$;

revoke execute on function public.liked_by_me(public.posts) from public;
grant execute on function public.liked_by_me(public.posts) to anon, authenticated, service_role;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger count_likes
  after insert or delete on public.likes
  for each row execute function private.count_likes();
