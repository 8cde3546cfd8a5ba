-- #tags in a post's content become hashtags; an edit replaces them; deleting the post unlinks them.
begin;
select plan(7);

select tests.create_profile('alice');
select tests.authenticate_as('alice');
insert into public.posts (content) values ('Loving #Postgres and #supabase, #postgres again; not an anchor: https://x.example/#frag nor a#b');
reset role;
select results_eq(
  $$select h.tag::text from public.post_hashtags ph join public.hashtags h on h.id = ph.hashtag_id order by 1$$,
  array['postgres', 'supabase'], 'tags are found once each, lower case, and URL fragments are not tags');

select tests.authenticate_as('alice');
update public.posts set content = 'now about #rust and #Supabase';
reset role;
select results_eq(
  $$select h.tag::text from public.post_hashtags ph join public.hashtags h on h.id = ph.hashtag_id order by 1$$,
  array['rust', 'supabase'], 'an edit replaces the post''s tags');
select results_eq($$select count(*)::int from public.hashtags$$, array[3], 'hashtags are shared, never duplicated');

select tests.authenticate_as('alice');
insert into public.posts (content) values ('#rust again');
select results_eq($$select count(*)::int from public.posts_by_hashtag('#RUST')$$, array[2], 'posts_by_hashtag finds a tag in any case, with or without #');
select results_eq($$select content from public.posts_by_hashtag('rust')$$, array['#rust again', 'now about #rust and #Supabase'],
  'posts_by_hashtag lists newest first');
update public.posts set content = 'no tags any more' where content = '#rust again';
delete from public.posts where content like 'now about%';
reset role;
select is_empty($$select * from public.post_hashtags$$, 'removing tags by edit or delete unlinks them');

select tests.clear_authentication();
select results_eq($$select count(*)::int from public.hashtags$$, array[3], 'anon reads hashtags');

select * from finish();
rollback;
