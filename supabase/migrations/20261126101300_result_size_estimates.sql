-- Tell the planner how many rows the feed and search functions return. Without it Postgres
-- assumes 1000, and an embed such as rpc('feed').select('*, author:profiles(*)') is planned as
-- a hash join that renders every profile instead of a lookup of the twenty authors on the page.
alter function public.feed(integer, timestamptz, bigint) rows 20;
alter function public.search_posts(text) rows 100;
alter function public.search_profiles(text) rows 20;
alter function public.posts_by_hashtag(text) rows 50;
