-- Column-level grants: clients edit only content columns; ids, authors, counters and the
-- trigger-owned tables are out of their reach whatever the policies say.
begin;
select plan(16);

select tests.create_profile('alice');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('alice'), 'hello');

select tests.authenticate_as('alice');

select throws_ok($$update public.profiles set followers_count = 1000 where username = 'alice'$$,
  '42501', null, 'a user cannot write their own followers_count');
select throws_ok($$update public.profiles set posts_count = 1000 where username = 'alice'$$,
  '42501', null, 'a user cannot write their own posts_count');
select throws_ok($$update public.profiles set id = gen_random_uuid() where username = 'alice'$$,
  '42501', null, 'a user cannot change their profile id');
select throws_ok($$insert into public.profiles (id, username) values (gen_random_uuid(), 'mallory')$$,
  '42501', null, 'a user cannot insert a profile (the sign-up trigger does)');
select throws_ok($$update public.posts set like_count = 1000$$,
  '42501', null, 'an author cannot write their post''s like_count');
select throws_ok($$update public.posts set comment_count = 1000$$,
  '42501', null, 'an author cannot write their post''s comment_count');
select throws_ok($$update public.posts set author_id = gen_random_uuid()$$,
  '42501', null, 'an author cannot hand a post to someone else');
select throws_ok($$insert into public.posts (id, content) overriding system value values (999999, 'x')$$,
  '42501', null, 'a user cannot choose a post id');
select throws_ok($$insert into public.notifications (recipient_id, actor_id, type) values (auth.uid(), auth.uid(), 'follow')$$,
  '42501', null, 'a user cannot write notifications (triggers do)');
select throws_ok($$update public.notifications set type = 'like'$$,
  '42501', null, 'a user cannot change a notification''s type');
select throws_ok($$insert into public.hashtags (tag) values ('spam')$$,
  '42501', null, 'a user cannot write hashtags');
select throws_ok($$insert into public.post_hashtags (post_id, hashtag_id, post_created_at) values (1, 1, now())$$,
  '42501', null, 'a user cannot write post_hashtags');
select throws_ok($$update public.likes set created_at = now()$$,
  '42501', null, 'a like cannot be edited');
select throws_ok($$update public.follows set created_at = now()$$,
  '42501', null, 'a follow cannot be edited');

select tests.clear_authentication();
select throws_ok($$select * from public.notifications$$, '42501', null, 'anon cannot read notifications at all');
select throws_ok($$update public.profiles set bio = 'x'$$, '42501', null, 'anon cannot update profiles');

select * from finish();
rollback;
