-- RLS on realtime.messages as Realtime checks a private channel: with realtime.topic set to the
-- channel, the client may join when it can select a broadcast row of that topic, and may send
-- when it can insert one. user:<id>:notifications admits user <id> alone, and no one may send.
begin;
select plan(9);

select tests.create_profile('alice');
select tests.create_profile('bob');

create function pg_temp.may_join(who text, topic text) returns boolean language plpgsql as $$
declare
  probe uuid;
  seen boolean;
begin
  perform set_config('realtime.topic', topic, true);
  insert into realtime.messages (topic, extension) values (topic, 'broadcast') returning id into probe;
  if who = 'anon' then perform tests.clear_authentication(); else perform tests.authenticate_as(who); end if;
  select exists (select 1 from realtime.messages where id = probe) into seen;
  reset role;
  delete from realtime.messages where id = probe;
  return seen;
end $$;

create function pg_temp.topic_of(who text) returns text language sql as $$
  select 'user:' || tests.get_supabase_uid(who)::text || ':notifications'
$$;

select ok(pg_temp.may_join('alice', pg_temp.topic_of('alice')), 'alice may join her own notifications topic');
select ok(not pg_temp.may_join('bob', pg_temp.topic_of('alice')), 'bob may not join alice''s notifications topic');
select ok(not pg_temp.may_join('alice', pg_temp.topic_of('bob')), 'alice may not join bob''s');
select ok(not pg_temp.may_join('anon', pg_temp.topic_of('alice')), 'anon may not join any notifications topic');
select ok(not pg_temp.may_join('alice', 'user:' || tests.get_supabase_uid('alice')::text || ':other'),
  'alice''s policy covers her notifications topic only');

select set_config('realtime.topic', pg_temp.topic_of('alice'), true);
select tests.authenticate_as('alice');
select throws_ok(
  format($$insert into realtime.messages (topic, extension, event, payload) values (%L, 'broadcast', 'INSERT', '{}')$$, pg_temp.topic_of('alice')),
  '42501', null, 'alice may not send to her own notifications topic');
select throws_ok(
  format($$insert into realtime.messages (topic, extension) values (%L, 'presence')$$, pg_temp.topic_of('alice')),
  '42501', null, 'nor track presence on it');
select tests.authenticate_as('bob');
select set_config('realtime.topic', pg_temp.topic_of('alice'), true);
select throws_ok(
  format($$insert into realtime.messages (topic, extension, event, payload) values (%L, 'broadcast', 'INSERT', '{}')$$, pg_temp.topic_of('alice')),
  '42501', null, 'bob may not send to alice''s notifications topic');
select tests.authenticate_as_service_role();
select lives_ok(
  format($$select realtime.send('{"n": 1}', 'INSERT', %L)$$, pg_temp.topic_of('alice')),
  'realtime.send never fails its caller (a refused message is a warning)');
reset role;

select * from finish();
rollback;
