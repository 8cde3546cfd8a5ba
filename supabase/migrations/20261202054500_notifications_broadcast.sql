-- Each new notification is broadcast from the database to its recipient's private channel,
-- `user:<recipient id>:notifications` (event INSERT, payload.record = the row), the way Supabase
-- recommends over Postgres Changes: one message per notification instead of an RLS check per
-- subscriber and change. Only the recipient may join that topic; nobody may send to it (the
-- trigger writes as the function's owner). The Postgres Changes route keeps working.
create or replace function private.broadcast_notification()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'user:' || new.recipient_id::text || ':notifications', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;

revoke execute on function private.broadcast_notification() from public, anon, authenticated;

create trigger broadcast_notification
  after insert on public.notifications
  for each row
  execute function private.broadcast_notification();

-- Joining `user:<id>:notifications` (reading its broadcasts) is for that user alone. No insert
-- policy: clients cannot send to it.
create policy "Users receive their own notification broadcasts"
  on realtime.messages for select
  to authenticated
  using (
    extension = 'broadcast'
    and realtime.topic() = 'user:' || (select auth.uid())::text || ':notifications'
  );
