-- realtime.messages as Realtime keeps it: partitioned by day on inserted_at, the coming days'
-- partitions ready, days past retention dropped; published by supabase_realtime_messages_publication
-- through its root; realtime.send and realtime.broadcast_changes with Supabase's signatures.
begin;
select plan(10);

select is((select relkind::text from pg_class where oid = 'realtime.messages'::regclass), 'p', 'realtime.messages is partitioned');
select is(pg_get_partkeydef('realtime.messages'::regclass), 'RANGE (inserted_at)', 'by range of inserted_at');
select ok(to_regclass('realtime.messages_' || to_char(current_date + 3, 'YYYY_MM_DD')) is not null, 'the partition three days ahead exists');

-- Realtime's janitor: with no past day kept, yesterday's partition (which the same maintenance
-- keeps ready) is dropped and today's stays.
select lives_ok($$select realtime.maintain_message_partitions(3, 0)$$, 'maintenance runs');
select ok(to_regclass('realtime.messages_' || to_char(current_date - 1, 'YYYY_MM_DD')) is null, 'a partition past retention is dropped');
select ok(to_regclass('realtime.messages_' || to_char(current_date, 'YYYY_MM_DD')) is not null, 'today''s partition is kept');

select ok(
  exists (select 1 from pg_publication p join pg_publication_tables t using (pubname)
           where p.pubname = 'supabase_realtime_messages_publication' and p.pubviaroot and t.schemaname = 'realtime' and t.tablename = 'messages'),
  'supabase_realtime_messages_publication publishes realtime.messages via its root');
select has_function('realtime', 'send', array['jsonb', 'text', 'text', 'boolean'], 'realtime.send(payload, event, topic, private) exists');
select has_function('realtime', 'broadcast_changes', array['text', 'text', 'text', 'text', 'text', 'record', 'record', 'text'],
  'realtime.broadcast_changes(topic_name, event_name, operation, table_name, table_schema, new, old, level) exists');
select throws_ok(
  $$select realtime.broadcast_changes('t', 'e', 'TRUNCATE', 'x', 'public', null::record, null::record)$$,
  'P0001', null, 'broadcast_changes refuses an operation other than INSERT, UPDATE or DELETE');

select * from finish();
rollback;
