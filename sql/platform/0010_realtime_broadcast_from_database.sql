-- Broadcast from the database, as supabase/realtime's tenant migrations set it up:
-- realtime.messages partitioned by day on inserted_at, realtime.send() and
-- realtime.broadcast_changes() writing to it, and the publication Realtime streams it from
-- (supabase_realtime_messages_publication). A message is delivered once its transaction commits,
-- in commit order; a rolled-back one never is. Old partitions are dropped (realtime.maintain_message_partitions).

do $convert$
declare
  policy record;
  definitions text[] := '{}';
  definition text;
begin
  -- 0007 created a plain table: rebuild it partitioned, keeping the policies apps put on it.
  if exists (select 1 from pg_catalog.pg_class where oid = to_regclass('realtime.messages') and relkind = 'r') then
    for policy in
      select p.polname, p.polpermissive, p.polcmd, p.polroles,
             pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
             pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as withcheck
        from pg_catalog.pg_policy p where p.polrelid = 'realtime.messages'::regclass
    loop
      definitions := definitions || format(
        'create policy %I on realtime.messages as %s for %s to %s%s%s',
        policy.polname,
        case when policy.polpermissive then 'permissive' else 'restrictive' end,
        case policy.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
        coalesce((select string_agg(case when r = 0 then 'public' else quote_ident(pg_catalog.pg_get_userbyid(r)) end, ', ')
                    from unnest(policy.polroles) r), 'public'),
        case when policy.qual is null then '' else format(' using (%s)', policy.qual) end,
        case when policy.withcheck is null then '' else format(' with check (%s)', policy.withcheck) end);
    end loop;
    drop table realtime.messages;
    create table realtime.messages (
      topic       text not null,
      extension   text not null,
      payload     jsonb,
      event       text,
      private     boolean default false,
      updated_at  timestamp not null default now(),
      inserted_at timestamp not null default now(),
      id          uuid not null default gen_random_uuid(),
      primary key (id, inserted_at)
    ) partition by range (inserted_at);
    create index messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic)
      where extension = 'broadcast' and private is true;
    alter table realtime.messages enable row level security;
    alter table realtime.messages owner to supabase_realtime_admin;
    grant select, insert, update on realtime.messages to anon, authenticated, service_role;
    grant select on realtime.messages to postgres with grant option;
    foreach definition in array definitions loop
      execute definition;
    end loop;
  end if;
end
$convert$;

-- Triggers writing through realtime.send run as their (security definer) owner, usually postgres.
grant insert, update on realtime.messages to postgres;

-- One partition per day, named as Realtime names them, the next days kept ready and those past
-- retention dropped (Realtime's janitor does this; the realtime server calls it hourly).
create or replace function realtime.maintain_message_partitions(days_ahead integer default 3, days_kept integer default 3)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  day date;
  name text;
begin
  for day in select d::date from generate_series(current_date - 1, current_date + days_ahead, interval '1 day') d loop
    name := 'messages_' || pg_catalog.to_char(day, 'YYYY_MM_DD');
    if pg_catalog.to_regclass('realtime.' || name) is null then
      execute pg_catalog.format('create table realtime.%I partition of realtime.messages for values from (%L) to (%L)', name, day, day + 1);
    end if;
  end loop;
  for name in
    select c.relname from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'realtime.messages'::pg_catalog.regclass
       and c.relname ~ '^messages_[0-9]{4}_[0-9]{2}_[0-9]{2}$'
       and pg_catalog.to_date(pg_catalog.substr(c.relname, 10), 'YYYY_MM_DD') < current_date - days_kept
  loop
    execute pg_catalog.format('drop table realtime.%I', name);
  end loop;
end
$$;
alter function realtime.maintain_message_partitions(integer, integer) owner to supabase_realtime_admin;
revoke all on function realtime.maintain_message_partitions(integer, integer) from public;
grant execute on function realtime.maintain_message_partitions(integer, integer) to postgres;
select realtime.maintain_message_partitions();

-- realtime.send: writes a broadcast for `topic` (private unless told otherwise). A failure is a
-- warning, never the caller's error, so a notification is not lost because its broadcast was.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
  returns void
  language plpgsql
as $$
begin
  begin
    perform pg_catalog.set_config('realtime.topic', topic, true);
    insert into realtime.messages (payload, event, topic, private, extension)
      values (payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
grant execute on function realtime.send(jsonb, text, text, boolean) to postgres, anon, authenticated, service_role;

-- realtime.broadcast_changes: a row trigger's change as Realtime's payload
-- ({record, old_record, operation, table, schema}), sent privately to `topic_name`.
create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW')
  returns void
  language plpgsql
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation in ('INSERT', 'UPDATE', 'DELETE') then
    row_data := pg_catalog.jsonb_build_object(
      'old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema);
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception when others then
  raise exception 'Failed to process the row: %', sqlerrm;
end
$$;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text) owner to supabase_realtime_admin;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to postgres, anon, authenticated, service_role;

do $pub$
begin
  if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime_messages_publication') then
    create publication supabase_realtime_messages_publication with (publish_via_partition_root = true);
  end if;
  if not exists (select 1 from pg_catalog.pg_publication_tables
                  where pubname = 'supabase_realtime_messages_publication' and schemaname = 'realtime' and tablename = 'messages') then
    alter publication supabase_realtime_messages_publication add table realtime.messages;
  end if;
end
$pub$;
