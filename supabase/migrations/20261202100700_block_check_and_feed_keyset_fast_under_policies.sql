-- Feed and search under the block policies, at the speed they had before them.
--
-- The block check behind every read policy, rls.hidden_user_ids(), was a SQL function: Postgres
-- plans a SQL function's body anew on every call, and every read of posts, profiles and
-- comments calls it (the feed twice). As PL/pgSQL its query is planned once per connection and
-- only executed per statement.
create or replace function rls.hidden_user_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(u.id), '{}')
      from (
        select b.blocked_id as id from public.blocks b where b.blocker_id = (select auth.uid())
        union
        select b.blocker_id from public.blocks b where b.blocked_id = (select auth.uid())
      ) u
  );
end;
$$;

-- The feed's keyset condition reaches the (author_id, created_at, id) index again. Under the
-- posts row filter, Postgres only lets a condition into an index scan ahead of the filter when
-- it cannot leak rows, and it treats a COALESCE as able to: with the cursor written as
-- coalesce(...) inline, each author's posts were read from the newest and compared one by one,
-- so a page cost more the deeper it was. Scalar subqueries turn the cursor into plain
-- parameters, which are safe.
create or replace function public.feed(
  page_size integer default 20,
  before_created_at timestamptz default null,
  before_id bigint default null
)
returns setof public.posts
language sql
stable
set search_path = ''
rows 20
as $$
  with authors as (
    select f.followee_id as id
      from public.follows f
     where f.follower_id = (select auth.uid())
    union all
    select (select auth.uid())
  ),
  page as (
    select c.id, c.created_at
      from authors a
      cross join lateral (
        select p.id, p.created_at
          from public.posts p
         where p.author_id = a.id
           and (p.created_at, p.id) < ((select coalesce(feed.before_created_at, 'infinity'::timestamptz)),
                                       (select coalesce(feed.before_id, case when feed.before_created_at is null
                                                                             then 9223372036854775807 else 0 end)))
         order by p.created_at desc, p.id desc
         limit feed.page_size
      ) c
     order by c.created_at desc, c.id desc
     limit feed.page_size
  )
  select p.*
    from page
    join public.posts p on p.id = page.id
   order by page.created_at desc, page.id desc;
$$;
