-- The project's own role, as the supabase/postgres image leaves it: the cluster is bootstrapped by
-- supabase_admin (initdb -U supabase_admin), and `postgres` is a login role that is NOT a
-- superuser (migrations/db/migrations/10000000000000_demote-postgres.sql). It exists before the
-- other platform files, which grant to it. Its memberships and object grants come in
-- 0008_postgres_privileges.sql, once the objects exist.

do $role$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'postgres') then
    begin
      create role postgres;
    exception when duplicate_object then
      null; -- created concurrently by another database's bootstrap
    end;
  end if;
end
$role$;

alter role postgres with login nosuperuser inherit createdb createrole replication bypassrls;

-- The CLI's local password; set only while the role has none, so a changed one survives.
do $pw$
begin
  if exists (select 1 from pg_catalog.pg_authid where rolname = 'postgres' and rolpassword is null) then
    alter role postgres with password 'postgres';
  end if;
end
$pw$;
