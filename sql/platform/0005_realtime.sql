-- Realtime's footprint before any app migration: the (empty) supabase_realtime publication that
-- apps extend with "alter publication supabase_realtime add table ...". The realtime schema and
-- its grants come from 0002; its tables belong to the realtime server. Per supabase/postgres.

do $pub$
begin
  if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$pub$;
