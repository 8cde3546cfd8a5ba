-- On a seeded network (1000 users, 30k posts, 20k follows, 20k notifications), the plans of the
-- feed, search, hashtag and notification queries read the indexes meant for them. Function
-- bodies are explained with their arguments filled in (tests.function_query).
begin;
select plan(14);

select tests.seed_network(1000, 30, 20);
-- 1000 blocks: u0001 blocks u0501, u0002 blocks u0502, ...
insert into public.blocks (blocker_id, blocked_id)
select a.id, b.id from public.profiles a join public.profiles b on b.username::text = 'u' || lpad((substr(a.username::text, 2)::int + 500)::text, 4, '0')
 where a.username::text ~ '^u0[0-4]';
insert into public.blocks (blocker_id, blocked_id)
select b.id, a.id from public.profiles a join public.profiles b on b.username::text = 'u' || lpad((substr(a.username::text, 2)::int + 500)::text, 4, '0')
 where a.username::text ~ '^u0[0-4]' and a.username::text like '%0';
analyze public.blocks;

select tests.authenticate_as('u0500');

select tests.uses_index(
  tests.function_query('public.feed(integer, timestamptz, bigint)', '{"page_size": "20", "before_created_at": "null::timestamptz", "before_id": "null::bigint"}'),
  'follows_pkey', 'feed page 1 finds whom the caller follows by the follows primary key');
select tests.uses_index(
  tests.function_query('public.feed(integer, timestamptz, bigint)', '{"page_size": "20", "before_created_at": "null::timestamptz", "before_id": "null::bigint"}'),
  'posts_author_id_created_at_id_idx', 'feed page 1 reads each author''s newest posts from (author_id, created_at, id)');
select tests.uses_index(
  tests.function_query('public.feed(integer, timestamptz, bigint)', $${"page_size": "20", "before_created_at": "now() - interval '5 days'", "before_id": "12345"}$$),
  'posts_author_id_created_at_id_idx', 'a deep keyset page seeks into the same index');
-- Under the posts row filter only conditions that cannot leak may run inside an index scan: the
-- keyset cursor, as parameters (the generic plan, as for any cursor), must be one of them, or
-- each author's newer posts are read and filtered one by one and deep pages cost more.
create function pg_temp.generic_plan(query text) returns text language plpgsql as $$
declare
  plan json;
begin
  execute 'explain (generic_plan, format json) ' || query into plan;
  return plan::text;
end $$;
select alike(
  pg_temp.generic_plan(tests.function_query('public.feed(integer, timestamptz, bigint)',
    '{"page_size": "$1::integer", "before_created_at": "$2::timestamptz", "before_id": "$3::bigint"}')),
  '%"Index Cond": "((author_id = f.followee_id) AND (ROW(created_at, id) < %',
  'the keyset cursor is an index condition of each author''s scan, not a filter after it');

-- The block check behind every policy reads both directions from an index, never a scan.
select tests.uses_index(tests.function_query('rls.hidden_user_ids()', '{}'), 'blocks_pkey',
  'the block check finds whom the caller blocks by the blocks primary key');
select tests.uses_index(tests.function_query('rls.hidden_user_ids()', '{}'), 'blocks_blocked_id_idx',
  'and who blocks the caller by blocks_blocked_id_idx');
select unalike(tests.plan_of(tests.function_query('rls.hidden_user_ids()', '{}')), '%Seq Scan%', 'with no sequential scan');

-- Search matches in the rls helpers, as their owner (no row filter stands between the match
-- condition and its index): explained as that owner.
reset role;
select tests.uses_index(
  tests.function_query('rls.matching_post_ids(text)', $${"query": "'u0123'"}$$),
  'posts_fts_idx', 'search_posts for a rare word reads the GIN full-text index');
select tests.uses_index(
  tests.function_query('rls.matching_post_ids(text)', $${"query": "'ordinary words'"}$$),
  'posts_created_at_id_idx', 'search_posts for a word in most posts walks the recency index instead');

-- 1000 profiles fit in a few pages, where a sequential scan is honestly cheaper: these two
-- only check that the query shape can use the trigram index at all.
set local enable_seqscan = off;
select tests.uses_index(
  tests.function_query('rls.matching_profile_ids(text)', $${"query": "'u0234'"}$$),
  'profiles_name_trgm_idx', 'search_profiles by username can read the trigram index of names');
select tests.uses_index(
  tests.function_query('rls.matching_profile_ids(text)', $${"query": "'person 1234'"}$$),
  'profiles_name_trgm_idx', 'search_profiles by display name can read the same index');
reset enable_seqscan;
select tests.authenticate_as('u0500');

select tests.uses_index(
  tests.function_query('public.posts_by_hashtag(text)', $${"tag": "'topic7'"}$$) || ' limit 20',
  'post_hashtags_hashtag_id_post_created_at_idx', 'posts_by_hashtag reads a tag''s posts newest first from its index');

select tests.uses_index(
  $$select * from public.notifications where recipient_id = (select auth.uid()) order by created_at desc, id desc limit 20$$,
  'notifications_recipient_id_created_at_id_idx', 'the notification list reads the recipient index in order');
select tests.uses_index(
  $$select count(*) from public.notifications where recipient_id = (select auth.uid()) and read_at is null$$,
  'notifications_recipient_id_unread_idx', 'the unread count reads the partial unread index');

select * from finish();
rollback;
