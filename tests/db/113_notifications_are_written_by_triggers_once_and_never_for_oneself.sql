-- Likes, follows, comments, replies and @mentions notify the right person once; one's own
-- actions notify nobody.
begin;
select plan(10);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');

select tests.authenticate_as('alice');
insert into public.posts (content) values ('hello world');
insert into public.likes (post_id) select id from public.posts;
insert into public.comments (post_id, content) select id, 'my own comment' from public.posts;
reset role;
select is_empty($$select * from public.notifications$$, 'liking and commenting on one''s own post notifies nobody');

select tests.authenticate_as('bob');
insert into public.likes (post_id) select id from public.posts;
delete from public.likes where user_id = auth.uid();
insert into public.likes (post_id) select id from public.posts;
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice'));
delete from public.follows where follower_id = auth.uid();
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice'));
reset role;
select results_eq(
  $$select type, count(*)::int from public.notifications where recipient_id = tests.get_supabase_uid('alice') group by type order by type$$,
  $$values ('follow', 1), ('like', 1)$$,
  'like -> unlike -> like and follow -> unfollow -> follow notify alice once each');
select results_eq($$select actor_id from public.notifications where type = 'like'$$, array[tests.get_supabase_uid('bob')], 'the like names bob as actor');

select tests.authenticate_as('bob');
insert into public.comments (post_id, content) select id, 'bob comments' from public.posts;
select tests.authenticate_as('carol');
insert into public.comments (post_id, parent_id, content) select post_id, id, 'carol replies to bob' from public.comments where content = 'bob comments';
reset role;
select results_eq(
  $$select n.type from public.notifications n join public.comments c on c.id = n.comment_id
     where c.content = 'bob comments'$$,
  array['comment'], 'a comment notifies the post''s author');
select results_eq(
  $$select p.username::text, n.type from public.notifications n join public.profiles p on p.id = n.recipient_id
     join public.comments c on c.id = n.comment_id where c.content = 'carol replies to bob' order by 1$$,
  $$values ('alice', 'comment'), ('bob', 'reply')$$,
  'a reply notifies the parent''s author (reply) and the post''s author (comment)');

select tests.authenticate_as('carol');
insert into public.posts (content) values ('hey @Alice and @bob, also @carol and @nobody_here, mail me@bob.example');
update public.posts set content = content || ' (edited, still @alice)' where author_id = auth.uid();
reset role;
select results_eq(
  $$select p.username::text from public.notifications n join public.profiles p on p.id = n.recipient_id
     where n.type = 'mention' order by 1$$,
  array['alice', 'bob'],
  'mentions notify each mentioned user once, not the author, not unknown names, not e-mail addresses, not again on edit');

select tests.authenticate_as('bob');
insert into public.comments (post_id, content) select id, 'cc @alice' from public.posts where content like 'hey%';
reset role;
select results_eq(
  $$select n.comment_id is not null from public.notifications n join public.profiles p on p.id = n.recipient_id
     where n.type = 'mention' and p.username = 'alice' and n.actor_id = tests.get_supabase_uid('bob')$$,
  array[true], 'a mention in a comment names the comment');

select throws_ok(
  format($$insert into public.notifications (recipient_id, actor_id, type) values (%L, %L, 'follow')$$,
    tests.get_supabase_uid('alice'), tests.get_supabase_uid('alice')),
  '23514', null, 'a self-notification is impossible even for the table owner');

delete from public.posts where content = 'hello world';
select is_empty($$select * from public.notifications where type in ('like', 'comment', 'reply') and post_id is null$$,
  'no notification outlives its post');
select results_eq($$select count(*)::int from public.notifications where type = 'follow'$$, array[1], 'the follow notification stays');

select * from finish();
rollback;
