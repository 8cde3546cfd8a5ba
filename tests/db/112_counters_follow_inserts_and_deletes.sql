-- posts_count, followers_count, following_count, like_count and comment_count are kept by
-- triggers on every insert and delete, including deletes by cascade.
begin;
select plan(12);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');

select tests.authenticate_as('alice');
insert into public.posts (content) values ('one'), ('two');
select tests.authenticate_as('bob');
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice'));
insert into public.likes (post_id) select id from public.posts;
insert into public.comments (post_id, content) select id, 'nice' from public.posts where content = 'one';
select tests.authenticate_as('carol');
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice')), (tests.get_supabase_uid('bob'));
insert into public.likes (post_id) select id from public.posts where content = 'one';
insert into public.comments (post_id, parent_id, content) select post_id, id, 'agreed' from public.comments;
reset role;

select results_eq($$select posts_count, followers_count, following_count from public.profiles where username = 'alice'$$,
  $$values (2, 2, 0)$$, 'alice: 2 posts, 2 followers, following nobody');
select results_eq($$select followers_count, following_count from public.profiles where username = 'bob'$$,
  $$values (1, 1)$$, 'bob: 1 follower, following 1');
select results_eq($$select following_count from public.profiles where username = 'carol'$$, array[2], 'carol follows 2');
select results_eq($$select like_count, comment_count from public.posts where content = 'one'$$, $$values (2, 2)$$,
  'post one: 2 likes, 2 comments (a reply counts)');
select results_eq($$select like_count, comment_count from public.posts where content = 'two'$$, $$values (1, 0)$$,
  'post two: 1 like, no comments');

select tests.authenticate_as('carol');
delete from public.likes where user_id = auth.uid();
delete from public.follows where follower_id = auth.uid() and followee_id = tests.get_supabase_uid('alice');
reset role;
select results_eq($$select like_count from public.posts where content = 'one'$$, array[1], 'an unlike decrements like_count');
select results_eq($$select followers_count from public.profiles where username = 'alice'$$, array[1], 'an unfollow decrements followers_count');
select results_eq($$select following_count from public.profiles where username = 'carol'$$, array[1], '... and following_count');

select tests.authenticate_as('bob');
delete from public.comments where author_id = auth.uid();
reset role;
select results_eq($$select comment_count from public.posts where content = 'one'$$, array[1], 'deleting a comment decrements comment_count');

-- Deleting bob's account cascades to his follows and likes; the others' counters follow.
delete from auth.users where id = tests.get_supabase_uid('bob');
select results_eq($$select followers_count from public.profiles where username = 'alice'$$, array[0], 'a cascade-deleted follow decrements followers_count');
select results_eq($$select like_count from public.posts order by content$$, array[0, 0], 'cascade-deleted likes decrement like_count');
select results_eq($$select following_count from public.profiles where username = 'carol'$$, array[0], 'carol''s follow of deleted bob is gone from her count');

select * from finish();
rollback;
