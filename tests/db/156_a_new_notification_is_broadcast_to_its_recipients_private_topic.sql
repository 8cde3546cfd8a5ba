-- Each new notification is written to realtime.messages for its recipient's private topic
-- user:<recipient id>:notifications, event INSERT, with realtime.broadcast_changes' payload (the
-- row as record); marking it read broadcasts nothing; a rolled-back action leaves no message.
begin;
select plan(7);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('alice'), 'hello');

select tests.authenticate_as('bob');
insert into public.likes (post_id) select id from public.posts;
reset role;

select results_eq(
  $$select topic, event, extension, private from realtime.messages$$,
  format($$values ('user:%s:notifications', 'INSERT', 'broadcast', true)$$, tests.get_supabase_uid('alice')),
  'bob''s like writes one private broadcast, event INSERT, to alice''s notifications topic');
select is(
  (select payload - 'record' from realtime.messages),
  '{"operation": "INSERT", "table": "notifications", "schema": "public", "old_record": null}'::jsonb,
  'the payload names the operation, table and schema, with no old record');
select is(
  (select payload -> 'record' from realtime.messages),
  (select to_jsonb(n) from public.notifications n),
  'the payload''s record is the notification row');

select tests.authenticate_as('alice');
select lives_ok($$select public.mark_notifications_read(null)$$, 'alice marks her notifications read');
reset role;
select is((select count(*)::int from realtime.messages), 1, 'marking a notification read broadcasts nothing');

savepoint before_follow;
select tests.authenticate_as('bob');
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice'));
reset role;
select is((select count(*)::int from realtime.messages), 2, 'a follow broadcasts its notification');
rollback to savepoint before_follow;
select is((select count(*)::int from realtime.messages), 1, 'a rolled-back follow leaves no message behind');

select * from finish();
rollback;
