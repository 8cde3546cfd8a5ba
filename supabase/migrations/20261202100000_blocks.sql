-- Blocks: while A blocks B, in both directions, neither sees the other's profile, posts or
-- comments (every read path goes through these tables' RLS), neither can follow, like,
-- comment on or reply to the other, and mentions between them notify nobody. Creating a block
-- removes the follows between them. The blocked user learns of it only through these effects:
-- they cannot read the block row, and the helper that policies use is outside the API.

-- TABLE ----------------------------------------------------------------------------------------
create table public.blocks (
  blocker_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  blocked_id uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (blocker_id, blocked_id),
  constraint blocks_not_self check (blocker_id <> blocked_id)
);

comment on table public.blocks is 'blocker_id blocks blocked_id: each hides from the other. Only the blocker sees the row.';

-- INDEXES --------------------------------------------------------------------------------------
-- "Who blocks me" for the policy helper (and the blocked_id foreign key); the primary key serves
-- "whom do I block".
create index blocks_blocked_id_idx on public.blocks (blocked_id);

-- PRIVILEGES -----------------------------------------------------------------------------------
revoke all on table public.blocks from anon, authenticated;
grant select, delete on table public.blocks to authenticated;
grant insert (blocker_id, blocked_id) on table public.blocks to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.blocks enable row level security;

create policy "Users can view whom they block"
  on public.blocks for select
  to authenticated
  using ((select auth.uid()) = blocker_id);

create policy "Users can block others as themselves"
  on public.blocks for insert
  to authenticated
  with check ((select auth.uid()) = blocker_id);

create policy "Users can unblock whom they block"
  on public.blocks for delete
  to authenticated
  using ((select auth.uid()) = blocker_id);

-- POLICY HELPERS -------------------------------------------------------------------------------
-- Policies run as the caller, who may read neither the blocks against them nor the private
-- schema. This schema holds only read helpers for policies: the API roles may call them, but it
-- is not in [api].schemas, so no client reaches it over HTTP.
create schema if not exists rls;
revoke all on schema rls from public;
grant usage on schema rls to anon, authenticated, service_role;

-- Everyone the caller blocks or is blocked by (empty for anon). Policies call it as
-- "(select rls.hidden_user_ids())": one evaluation per statement, two index probes.
create or replace function rls.hidden_user_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(u.id), '{}')
    from (
      select b.blocked_id as id from public.blocks b where b.blocker_id = (select auth.uid())
      union
      select b.blocker_id from public.blocks b where b.blocked_id = (select auth.uid())
    ) u;
$$;

revoke execute on function rls.hidden_user_ids() from public;
grant execute on function rls.hidden_user_ids() to anon, authenticated, service_role;

-- Whether a post's or comment's author is hidden from the caller, for the insert policies of
-- likes and comments. Read as the owner: under the caller's RLS a hidden post would simply not
-- be found (and a subquery on comments inside a comments policy would recurse).
create or replace function rls.is_hidden_post(post_id bigint)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.posts p
     where p.id = post_id
       and p.author_id = any ((select rls.hidden_user_ids())::uuid[]));
$$;

revoke execute on function rls.is_hidden_post(bigint) from public;
grant execute on function rls.is_hidden_post(bigint) to anon, authenticated, service_role;

create or replace function rls.is_hidden_comment(comment_id bigint)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.comments c
     where c.id = comment_id
       and c.author_id = any ((select rls.hidden_user_ids())::uuid[]));
$$;

revoke execute on function rls.is_hidden_comment(bigint) from public;
grant execute on function rls.is_hidden_comment(bigint) to anon, authenticated, service_role;

-- READS ----------------------------------------------------------------------------------------
-- Every read path (plain selects, embeds, feed, search_posts, search_profiles,
-- posts_by_hashtag) is SECURITY INVOKER, so these policies hide both sides from each other.
alter policy "Profiles are viewable by everyone" on public.profiles
  using (id <> all ((select rls.hidden_user_ids())::uuid[]));

alter policy "Posts are viewable by everyone" on public.posts
  using (author_id <> all ((select rls.hidden_user_ids())::uuid[]));

alter policy "Comments are viewable by everyone" on public.comments
  using (author_id <> all ((select rls.hidden_user_ids())::uuid[]));

alter policy "Users can view their own notifications" on public.notifications
  using ((select auth.uid()) = recipient_id and actor_id <> all ((select rls.hidden_user_ids())::uuid[]));

-- WRITES ---------------------------------------------------------------------------------------
alter policy "Users can follow others as themselves" on public.follows
  with check (
    (select auth.uid()) = follower_id
    and followee_id <> all ((select rls.hidden_user_ids())::uuid[])
  );

alter policy "Users can like posts as themselves" on public.likes
  with check (
    (select auth.uid()) = user_id
    and not rls.is_hidden_post(post_id)
  );

-- Neither a comment on the other's post nor a reply to the other's comment.
alter policy "Users can comment as themselves" on public.comments
  with check (
    (select auth.uid()) = author_id
    and not rls.is_hidden_post(post_id)
    and (parent_id is null or not rls.is_hidden_comment(parent_id))
  );

-- FUNCTIONS ------------------------------------------------------------------------------------
-- Runs as the owner: the blocker may not delete the other's follow of them by themselves.
create or replace function private.unfollow_on_block()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.follows f
   where (f.follower_id = new.blocker_id and f.followee_id = new.blocked_id)
      or (f.follower_id = new.blocked_id and f.followee_id = new.blocker_id);
  return null;
end;
$$;

revoke execute on function private.unfollow_on_block() from public, anon, authenticated;

-- Mentions between two people with a block between them notify nobody.
create or replace function private.notify_mentions(actor uuid, content text, post bigint, comment bigint)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.notifications (recipient_id, actor_id, type, post_id, comment_id)
  select p.id, actor, 'mention', post, comment
    from public.profiles p
   where p.username operator(extensions.=) any (private.extract_mentions(content)::extensions.citext[])
     and p.id <> actor
     and not exists (
       select 1 from public.notifications n
        where comment is not null and n.comment_id = comment and n.recipient_id = p.id)
     and not exists (
       select 1 from public.blocks b
        where (b.blocker_id = actor and b.blocked_id = p.id)
           or (b.blocker_id = p.id and b.blocked_id = actor))
  on conflict do nothing;
$$;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger unfollow_on_block
  after insert on public.blocks
  for each row execute function private.unfollow_on_block();
