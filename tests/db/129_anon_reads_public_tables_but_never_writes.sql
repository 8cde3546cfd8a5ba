-- anon (no session) reads the public tables and cannot write any table, whatever the row.
begin;
select plan(20);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.authenticate_as('alice');
insert into public.posts (content) values ('hello #tag');
insert into public.comments (post_id, content) select id, 'c' from public.posts;
insert into public.likes (post_id) select id from public.posts;
insert into public.follows (followee_id) values (tests.get_supabase_uid('bob'));

select tests.clear_authentication();
select ok((select count(*) from public.profiles) >= 2, 'anon reads profiles');
select ok((select count(*) from public.posts) >= 1, 'anon reads posts');
select ok((select count(*) from public.comments) >= 1, 'anon reads comments');
select ok((select count(*) from public.likes) >= 1, 'anon reads likes');
select ok((select count(*) from public.follows) >= 1, 'anon reads follows');
select ok((select count(*) from public.hashtags) >= 1, 'anon reads hashtags');

select throws_ok($$insert into public.posts (author_id, content) select id, 'x' from public.profiles limit 1$$, '42501', null, 'anon cannot insert a post');
select throws_ok($$update public.posts set content = 'x'$$, '42501', null, 'anon cannot update posts');
select throws_ok($$delete from public.posts$$, '42501', null, 'anon cannot delete posts');
select throws_ok($$insert into public.comments (post_id, author_id, content) select p.id, p.author_id, 'x' from public.posts p$$, '42501', null, 'anon cannot comment');
select throws_ok($$update public.comments set content = 'x'$$, '42501', null, 'anon cannot edit comments');
select throws_ok($$delete from public.comments$$, '42501', null, 'anon cannot delete comments');
select throws_ok($$insert into public.likes (user_id, post_id) select p.author_id, p.id from public.posts p$$, '42501', null, 'anon cannot like');
select throws_ok($$delete from public.likes$$, '42501', null, 'anon cannot unlike');
select throws_ok($$insert into public.follows (follower_id, followee_id) select a.id, b.id from public.profiles a, public.profiles b where a.id <> b.id limit 1$$, '42501', null, 'anon cannot follow');
select throws_ok($$delete from public.follows$$, '42501', null, 'anon cannot unfollow');
select throws_ok($$update public.profiles set bio = 'x'$$, '42501', null, 'anon cannot edit profiles');
select throws_ok($$update public.notifications set read_at = now()$$, '42501', null, 'anon cannot touch notifications');
select throws_ok($$delete from public.hashtags$$, '42501', null, 'anon cannot delete hashtags');
select throws_ok($$select public.mark_notifications_read()$$, '42501', null, 'anon cannot call mark_notifications_read');

select * from finish();
rollback;
