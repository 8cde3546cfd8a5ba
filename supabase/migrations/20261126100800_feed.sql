-- The home feed: posts by the people the caller follows and the caller's own, newest first by
-- (created_at, id).
--
-- Keyset pagination: pass the last row's created_at and id as before_created_at / before_id
-- (before_created_at alone means "strictly older than"). Offset pagination through PostgREST:
-- rpc('feed', { page_size: null }, { count: 'exact' }).range(from, to) — a null page_size
-- returns the whole feed for PostgREST to count and slice.
--
-- Each followed author contributes at most page_size rows from the (author_id, created_at, id)
-- index before the merge, so a page costs the same at any depth.

create or replace function public.feed(
  page_size integer default 20,
  before_created_at timestamptz default null,
  before_id bigint default null
)
returns setof public.posts
language sql
stable
set search_path = ''
as $$
  with authors as (
    select f.followee_id as id
      from public.follows f
     where f.follower_id = (select auth.uid())
    union all
    select (select auth.uid())
  ),
  cursor as (
    select coalesce(feed.before_created_at, 'infinity'::timestamptz) as created_at,
           coalesce(feed.before_id, case when feed.before_created_at is null then 9223372036854775807 else 0 end) as id
  ),
  page as (
    select c.id, c.created_at
      from authors a
      cross join cursor
      cross join lateral (
        select p.id, p.created_at
          from public.posts p
         where p.author_id = a.id
           and (p.created_at, p.id) < (cursor.created_at, cursor.id)
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

comment on function public.feed(integer, timestamptz, bigint) is
  'Posts of the people the caller follows and the caller''s own, newest first. Keyset: before_created_at + before_id; offset: page_size => null with PostgREST range().';

-- Only a signed-in user has a feed.
revoke execute on function public.feed(integer, timestamptz, bigint) from public, anon;
grant execute on function public.feed(integer, timestamptz, bigint) to authenticated, service_role;
