-- updated_at moves when a user edits a profile, post or comment, not when a counter changes.
begin;
select plan(6);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into public.posts (author_id, content, created_at, updated_at) values (tests.get_supabase_uid('alice'), 'old post', '2020-01-01', '2020-01-01');
insert into public.comments (post_id, author_id, content, created_at, updated_at)
  select id, author_id, 'old comment', '2020-01-01', '2020-01-01' from public.posts;
update public.profiles set updated_at = '2020-01-01';

select tests.authenticate_as('bob');
insert into public.likes (post_id) select id from public.posts;
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice'));
reset role;
select results_eq($$select updated_at from public.posts$$, array['2020-01-01'::timestamptz], 'a like does not touch the post''s updated_at');
select results_eq($$select updated_at from public.profiles where username = 'alice'$$, array['2020-01-01'::timestamptz], 'a new follower does not touch the profile''s updated_at');

select tests.authenticate_as('alice');
update public.posts set content = 'new post';
update public.comments set content = 'new comment';
update public.profiles set bio = 'new bio' where id = auth.uid();
reset role;
select results_eq($$select updated_at from public.posts$$, array[now()], 'editing a post sets updated_at');
select results_eq($$select updated_at from public.comments$$, array[now()], 'editing a comment sets updated_at');
select results_eq($$select updated_at from public.profiles where username = 'alice'$$, array[now()], 'editing a profile sets updated_at');
select results_eq($$select created_at from public.posts$$, array['2020-01-01'::timestamptz], 'created_at stays');

select * from finish();
rollback;
