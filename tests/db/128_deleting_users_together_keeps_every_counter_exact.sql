-- Deleting users cascades through rows that touch each other (their own likes and comments on
-- their own posts, follows between them, several at once): the delete succeeds and the counters
-- of everyone left still equal the rows.
begin;
select plan(6);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');

select tests.authenticate_as('alice');
insert into public.posts (content) values ('alice post');
insert into public.likes (post_id) select id from public.posts;
insert into public.comments (post_id, content) select id, 'first own comment' from public.posts;
insert into public.comments (post_id, content) select id, 'second own comment' from public.posts;
insert into public.follows (followee_id) values (tests.get_supabase_uid('bob')), (tests.get_supabase_uid('carol'));
select tests.authenticate_as('bob');
insert into public.posts (content) values ('bob post');
insert into public.likes (post_id) select id from public.posts;
insert into public.comments (post_id, content) select id, 'bob everywhere' from public.posts;
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice')), (tests.get_supabase_uid('carol'));
select tests.authenticate_as('carol');
insert into public.posts (content) values ('carol post');
insert into public.likes (post_id) select id from public.posts;
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice')), (tests.get_supabase_uid('bob'));

select tests.authenticate_as('alice');
select lives_ok($$select public.delete_account()$$, 'alice, with likes and comments on her own post, deletes her account');
reset role;
select lives_ok(format($$delete from auth.users where id in (%L, %L)$$, tests.get_supabase_uid('bob'), tests.get_supabase_uid('nobody')),
  'deleting a user who follows and is followed by others succeeds');

select results_eq($$select posts_count, followers_count, following_count from public.profiles where username = 'carol'$$,
  $$values (1, 0, 0)$$, 'carol''s counters no longer count alice or bob');
select results_eq($$select like_count, comment_count from public.posts where content = 'carol post'$$,
  $$values (1, 0)$$, 'carol''s post keeps only her own like');

-- Several users deleted by one statement: the cascades run level by level, so the likers' likes
-- are removed while the author's post still exists but its author's profile is already gone.
-- (Likers created first and a sequential scan: the delete meets them before the author.)
select tests.create_profile('liker_one');
select tests.create_profile('liker_two');
select tests.create_profile('author');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('author'), 'liked by all');
insert into public.likes (user_id, post_id)
  select tests.get_supabase_uid(u), p.id from unnest(array['liker_one', 'liker_two', 'author']) u, public.posts p where p.content = 'liked by all';
insert into public.comments (author_id, post_id, content)
  select tests.get_supabase_uid(u), p.id, 'hi' from unnest(array['liker_one', 'liker_two']) u, public.posts p where p.content = 'liked by all';
insert into public.follows (follower_id, followee_id) values
  (tests.get_supabase_uid('liker_one'), tests.get_supabase_uid('author')), (tests.get_supabase_uid('author'), tests.get_supabase_uid('liker_one')),
  (tests.get_supabase_uid('liker_two'), tests.get_supabase_uid('carol'));
set local enable_indexscan = off;
set local enable_bitmapscan = off;
select lives_ok(format($$delete from auth.users where id in (%L, %L, %L)$$,
  tests.get_supabase_uid('liker_one'), tests.get_supabase_uid('liker_two'), tests.get_supabase_uid('author')),
  'deleting an author together with the users who liked, commented on and followed their posts succeeds');
reset enable_indexscan;
reset enable_bitmapscan;
select results_eq($$select followers_count, following_count from public.profiles where username = 'carol'$$,
  $$values (0, 0)$$, 'the one who remains is counted right');

select * from finish();
rollback;
