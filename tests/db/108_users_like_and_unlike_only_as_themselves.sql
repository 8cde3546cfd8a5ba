-- Likes: readable by all; a user likes and unlikes only as themself, once per post.
begin;
select plan(8);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('alice'), 'like me');

select tests.authenticate_as('bob');
select lives_ok($$insert into public.likes (post_id) select id from public.posts$$, 'bob likes alice''s post');
select throws_ok($$insert into public.likes (post_id) select id from public.posts$$, '23505', null, 'liking twice is rejected');
select throws_ok(format($$insert into public.likes (user_id, post_id) select %L, id from public.posts$$, tests.get_supabase_uid('alice')),
  '42501', null, 'bob cannot like on alice''s behalf');
select throws_ok($$insert into public.likes (post_id) values (-1)$$, '23503', null, 'a like of a missing post is rejected');

select tests.clear_authentication();
select results_eq($$select count(*)::int from public.likes$$, array[1], 'anon reads likes');

select tests.authenticate_as('alice');
delete from public.likes;
select results_eq($$select count(*)::int from public.likes$$, array[1], 'alice cannot remove bob''s like');

select tests.authenticate_as('bob');
select lives_ok($$delete from public.likes where user_id = auth.uid()$$, 'bob unlikes');
select results_eq($$select count(*)::int from public.likes$$, array[0], 'the like is gone');

select * from finish();
rollback;
