-- Offset pagination as PostgREST runs it for rpc('feed', {page_size: null}, {count: 'exact'})
-- .range(from, to): the function's whole result is counted and sliced.
begin;
select plan(3);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into public.posts (author_id, content, created_at)
select tests.get_supabase_uid('bob'), 'bob ' || k, timestamptz '2026-01-01' + make_interval(mins => k) from generate_series(1, 45) k;

select tests.authenticate_as('alice');
insert into public.follows (followee_id) values (tests.get_supabase_uid('bob'));

select results_eq($$select count(*)::int from public.feed(page_size => null)$$, array[45], 'the exact count is the whole feed');
select results_eq($$select content from public.feed(page_size => null) limit 10 offset 40$$,
  $$values ('bob 5'), ('bob 4'), ('bob 3'), ('bob 2'), ('bob 1')$$, 'the last page holds the oldest five');
select results_eq($$select array_agg(id) from (select id from public.feed(page_size => null) limit 20 offset 20) s$$,
  $$select array_agg(id) from public.feed(20, (select created_at from public.feed(20) order by created_at limit 1), (select min(id) from public.feed(20)))$$,
  'offset page 2 equals keyset page 2');

select * from finish();
rollback;
