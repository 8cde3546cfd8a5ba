-- delete_account(): the caller's auth user and, by cascade, all of theirs; others' counters follow.
begin;
select plan(8);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.authenticate_as('alice');
insert into public.posts (content) values ('alice post #tag');
select tests.authenticate_as('bob');
insert into public.posts (content) values ('bob post');
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice'));
insert into public.likes (post_id) select id from public.posts where content = 'alice post #tag';
insert into public.comments (post_id, content) select id, 'bob on alice' from public.posts where content = 'alice post #tag';
select tests.authenticate_as('alice');
insert into public.follows (followee_id) values (tests.get_supabase_uid('bob'));
insert into public.likes (post_id) select id from public.posts where content = 'bob post';
insert into public.comments (post_id, content) select id, 'alice on bob' from public.posts where content = 'bob post';

select lives_ok($$select public.delete_account()$$, 'alice deletes her account');
reset role;
select is((select count(*)::int from auth.users where id = tests.get_supabase_uid('alice')), 0, 'her auth user is gone');
select is_empty(format($$select 1 from public.profiles where id = %1$L
  union all select 1 from public.posts where author_id = %1$L
  union all select 1 from public.follows where %1$L in (follower_id, followee_id)
  union all select 1 from public.likes where user_id = %1$L
  union all select 1 from public.comments where author_id = %1$L
  union all select 1 from public.notifications where %1$L in (recipient_id, actor_id)$$, tests.get_supabase_uid('alice')),
  'her profile, posts, follows, likes, comments and notifications are gone');
select is_empty($$select 1 from public.comments where content = 'bob on alice'$$, 'comments on her posts are gone');
select results_eq($$select followers_count, following_count, posts_count from public.profiles where username = 'bob'$$,
  $$values (0, 0, 1)$$, 'bob''s counters no longer count her');
select results_eq($$select like_count, comment_count from public.posts where content = 'bob post'$$, $$values (0, 0)$$,
  'bob''s post no longer counts her like and comment');

select tests.authenticate_as('bob');
select lives_ok($$select public.delete_account()$$, 'bob deletes his account too');
select tests.clear_authentication();
select throws_ok($$select public.delete_account()$$, '42501', null, 'anon cannot call delete_account');

select * from finish();
rollback;
