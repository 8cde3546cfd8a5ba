-- realtime.messages: what private channels are authorized against. A client may join a private
-- channel when RLS lets its role and claims select a probe row for the topic, and may broadcast
-- when RLS lets it insert one (realtime.topic() names the channel in policies). Shape, grants and
-- owner as supabase/realtime's tenant migrations leave them; Supabase partitions the table by
-- inserted_at, a plain table serves here as nothing is kept in it.

create table if not exists realtime.messages (
  topic       text not null,
  extension   text not null,
  payload     jsonb,
  event       text,
  private     boolean default false,
  updated_at  timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id          uuid not null default gen_random_uuid(),
  primary key (id, inserted_at)
);
create index if not exists messages_topic_index on realtime.messages (topic);

alter table realtime.messages enable row level security;
alter table realtime.messages owner to supabase_realtime_admin;

-- As Supabase: the API roles may select, insert and update (no delete); RLS decides.
grant select, insert, update on realtime.messages to anon, authenticated, service_role;
grant select on realtime.messages to postgres with grant option;

-- The channel being authorized, as set by Realtime for the check (null outside one).
create or replace function realtime.topic() returns text
  language sql stable
  as $$ select nullif(current_setting('realtime.topic', true), '')::text $$;
alter function realtime.topic() owner to supabase_realtime_admin;
grant execute on function realtime.topic() to postgres, anon, authenticated, service_role;
