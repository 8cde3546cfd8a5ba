-- trending_hashtags(hours, max_tags): the most used tags among posts of the last `hours` hours.
begin;
select plan(3);

select tests.create_profile('alice');
insert into public.posts (author_id, content, created_at) values
  (tests.get_supabase_uid('alice'), '#one #two', now() - interval '1 hour'),
  (tests.get_supabase_uid('alice'), '#two #three', now() - interval '2 hours'),
  (tests.get_supabase_uid('alice'), '#two', now() - interval '3 hours'),
  (tests.get_supabase_uid('alice'), '#old #old2 #old3', now() - interval '3 days');

select tests.clear_authentication();
select results_eq($$select tag, post_count from public.trending_hashtags()$$,
  $$values ('two', 3::bigint), ('one', 1::bigint), ('three', 1::bigint)$$, 'by count, then by name; old posts do not count');
select results_eq($$select tag from public.trending_hashtags(max_tags => 1)$$, array['two'], 'max_tags limits the list');
select results_eq($$select count(*)::int from public.trending_hashtags(hours => 100)$$, array[6], 'hours widens the window');

select * from finish();
rollback;
