-- private.notify_mentions (via trigger notify_comment): a comment notifies each person at most
-- once, whether a reply or comment notification and an @mention would both reach them.
begin;
select plan(3);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');

select tests.authenticate_as('alice');
insert into public.posts (content) values ('alice asks');
select tests.authenticate_as('bob');
insert into public.comments (post_id, content) select id, 'bob answers' from public.posts where content = 'alice asks';
select tests.authenticate_as('alice');
insert into public.comments (post_id, parent_id, content)
  select post_id, id, 'thanks @bob, and @carol look' from public.comments where content = 'bob answers';
select tests.authenticate_as('carol');
insert into public.comments (post_id, content) select id, 'hey @alice' from public.posts where content = 'alice asks';
reset role;

select results_eq(
  $$select n.type, p.username::text from public.notifications n join public.profiles p on p.id = n.recipient_id
     join public.comments c on c.id = n.comment_id where c.content = 'thanks @bob, and @carol look' order by 2$$,
  $$values ('reply', 'bob'), ('mention', 'carol')$$,
  'a reply that @mentions the parent''s author notifies them once, as a reply; others mentioned get a mention');

select results_eq(
  $$select n.type from public.notifications n join public.comments c on c.id = n.comment_id
     where c.content = 'hey @alice'$$,
  $$values ('comment')$$,
  'a comment that @mentions the post''s author notifies them once, as a comment');

select is(
  (select count(*)::int from public.notifications where type = 'mention'),
  1, 'only carol''s mention was written');

select * from finish();
rollback;
