-- Each user may write at most max_count posts, comments, likes, follows or reports per
-- per_seconds (public.rate_limits). The write past the limit fails with SQLSTATE PT429 (HTTP 429
-- through PostgREST), naming the action and when to retry; the window then reopens. Limits are
-- per user; the service role (and seeds) are not limited; only the service role edits limits.
begin;
select plan(23);

select results_eq($$select action from public.rate_limits order by action$$,
  array['comment', 'follow', 'like', 'post', 'report'], 'every limited action has a default limit');

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');
select tests.create_profile('dave');
select tests.create_profile('erin');
update public.rate_limits set max_count = 3, per_seconds = 60;
insert into public.posts (author_id, content) values (tests.get_supabase_uid('bob'), 'bob post');

select tests.authenticate_as('alice');
select lives_ok($$insert into public.posts (content) values ('one'), ('two'), ('three')$$, 'three posts within the limit');
select throws_ok($$insert into public.posts (content) values ('four')$$, 'PT429',
  'Rate limit exceeded for post: at most 3 per 60 seconds; retry in 60 seconds', 'the fourth post in the window is refused with PT429');
select throws_ok($$insert into public.posts (content) values ('four')$$, 'PT429', null, 'and stays refused');
select is((select count(*)::int from public.posts where content = 'four'), 0, 'nothing of the refused post was written');

-- Every action, per user.
select lives_ok(format($$insert into public.comments (post_id, content) select %s, 'c' from generate_series(1, 3)$$,
  (select max(id) from public.posts where content = 'bob post')), 'three comments');
select throws_ok(format($$insert into public.comments (post_id, content) values (%s, 'c')$$,
  (select max(id) from public.posts where content = 'bob post')), 'PT429', null, 'the fourth comment is refused');
select lives_ok($$insert into public.follows (followee_id) select id from public.profiles where username in ('bob', 'carol', 'dave')$$, 'three follows');
select throws_ok(format($$insert into public.follows (followee_id) values (%L)$$, tests.get_supabase_uid('erin')), 'PT429', null, 'the fourth follow is refused');
select lives_ok($$insert into public.likes (post_id) select id from public.posts where content in ('one', 'two', 'three')$$, 'three likes');
select throws_ok($$insert into public.likes (post_id) select id from public.posts where content = 'bob post'$$, 'PT429', null, 'the fourth like is refused');
select lives_ok($$insert into public.reports (profile_id, reason) select id, 'r' from public.profiles where username in ('bob', 'carol', 'dave')$$, 'three reports');
select throws_ok(format($$insert into public.reports (profile_id, reason) values (%L, 'r')$$, tests.get_supabase_uid('erin')), 'PT429', null, 'the fourth report is refused');
-- Unliking and liking again does not reset the count.
delete from public.likes;
select throws_ok($$insert into public.likes (post_id) select id from public.posts where content = 'one'$$, 'PT429', null,
  'deleting likes does not give the writes back');

select tests.authenticate_as('bob');
select lives_ok($$insert into public.posts (content) values ('bob 2'), ('bob 3'), ('bob 4')$$, 'another user has their own window');

-- The window: once per_seconds have passed since it opened, it reopens with a fresh count.
reset role;
update private.rate_limit_windows set window_start = now() - interval '59 seconds' where user_id = tests.get_supabase_uid('alice') and action = 'post';
select tests.authenticate_as('alice');
select throws_ok($$insert into public.posts (content) values ('four')$$, 'PT429',
  'Rate limit exceeded for post: at most 3 per 60 seconds; retry in 1 seconds', 'one second before the window closes, still refused, retry in 1 second');
reset role;
update private.rate_limit_windows set window_start = now() - interval '60 seconds' where user_id = tests.get_supabase_uid('alice') and action = 'post';
select tests.authenticate_as('alice');
select lives_ok($$insert into public.posts (content) values ('four'), ('five'), ('six')$$, 'after the window, three more');
select throws_ok($$insert into public.posts (content) values ('seven')$$, 'PT429', null, 'and the next window fills at three again');

-- A raised limit applies at once; only the service role edits limits.
select tests.authenticate_as('alice');
select throws_ok($$update public.rate_limits set max_count = 1000$$, '42501', null, 'a user cannot edit limits');
select tests.authenticate_as_service_role();
select is((select max_count from public.rate_limits where action = 'post'), 3, 'a user cannot raise a limit');
select lives_ok($$update public.rate_limits set max_count = 4 where action = 'post'$$, 'the service role raises the post limit');
select lives_ok(format($$insert into public.posts (author_id, content) select %L, 'bulk' from generate_series(1, 10)$$,
  tests.get_supabase_uid('alice')), 'the service role is not limited');
select tests.authenticate_as('alice');
select lives_ok($$insert into public.posts (content) values ('seven')$$, 'the raised limit lets alice post once more');

select * from finish();
rollback;
