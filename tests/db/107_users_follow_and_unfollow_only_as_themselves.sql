-- Follows: readable by all; a user follows and unfollows only as the follower; no self-follow.
begin;
select plan(9);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');

select tests.authenticate_as('alice');
select lives_ok(format($$insert into public.follows (followee_id) values (%L)$$, tests.get_supabase_uid('bob')), 'alice follows bob');
select throws_ok(format($$insert into public.follows (follower_id, followee_id) values (%L, %L)$$,
  tests.get_supabase_uid('carol'), tests.get_supabase_uid('bob')), '42501', null, 'alice cannot make carol follow bob');
select throws_ok(format($$insert into public.follows (followee_id) values (%L)$$, tests.get_supabase_uid('alice')),
  '23514', null, 'alice cannot follow herself');
select throws_ok(format($$insert into public.follows (followee_id) values (%L)$$, tests.get_supabase_uid('bob')),
  '23505', null, 'following twice is rejected');

select tests.clear_authentication();
select results_eq($$select count(*)::int from public.follows$$, array[1], 'anon reads follows');
select throws_ok(format($$insert into public.follows (follower_id, followee_id) values (%L, %L)$$,
  tests.get_supabase_uid('carol'), tests.get_supabase_uid('bob')), '42501', null, 'anon cannot follow');

select tests.authenticate_as('bob');
delete from public.follows where followee_id = auth.uid();
select results_eq($$select count(*)::int from public.follows$$, array[1], 'bob cannot remove alice''s follow of him');

select tests.authenticate_as('alice');
select lives_ok(format($$delete from public.follows where followee_id = %L$$, tests.get_supabase_uid('bob')), 'alice unfollows bob');
select results_eq($$select count(*)::int from public.follows$$, array[0], 'the follow is gone');

select * from finish();
rollback;
