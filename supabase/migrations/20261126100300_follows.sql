-- Follows: who follows whom.

-- TABLE ----------------------------------------------------------------------------------------
create table public.follows (
  follower_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  followee_id uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (follower_id, followee_id),
  constraint follows_no_self_follow check (follower_id <> followee_id)
);

comment on table public.follows is 'follower_id follows followee_id. The primary key serves "whom do I follow".';

-- INDEXES --------------------------------------------------------------------------------------
-- "Who follows me", newest first, and the followee foreign key.
create index follows_followee_id_created_at_idx on public.follows (followee_id, created_at desc);

-- PRIVILEGES -----------------------------------------------------------------------------------
revoke all on table public.follows from anon, authenticated;
grant select on table public.follows to anon, authenticated;
grant insert (follower_id, followee_id) on table public.follows to authenticated;
grant delete on table public.follows to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.follows enable row level security;

create policy "Follows are viewable by everyone"
  on public.follows for select
  to anon, authenticated
  using (true);

create policy "Users can follow others as themselves"
  on public.follows for insert
  to authenticated
  with check ((select auth.uid()) = follower_id);

create policy "Users can unfollow whom they follow"
  on public.follows for delete
  to authenticated
  using ((select auth.uid()) = follower_id);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- Both profiles are locked in id order first: "a follows b" and "b follows a" at the same time
-- would otherwise each lock one row and wait for the other (a deadlock). Profiles whose auth user
-- is already gone (a cascading delete) are skipped, as in private.count_posts.
create or replace function private.count_follows()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.follows := case when tg_op = 'INSERT' then new else old end;
  delta integer := case when tg_op = 'INSERT' then 1 else -1 end;
begin
  perform 1 from public.profiles
   where id in (r.follower_id, r.followee_id)
   order by id
   for no key update;
  update public.profiles p set following_count = following_count + delta
   where p.id = r.follower_id and exists (select 1 from auth.users u where u.id = p.id);
  update public.profiles p set followers_count = followers_count + delta
   where p.id = r.followee_id and exists (select 1 from auth.users u where u.id = p.id);
  return null;
end;
$$;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger count_follows
  after insert or delete on public.follows
  for each row execute function private.count_follows();
