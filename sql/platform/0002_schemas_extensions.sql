-- Platform schemas (auth, storage, realtime, extensions, graphql_public), their owners and
-- schema-level grants, the extensions every Supabase project can count on (installed into
-- "extensions"), and the search_path that makes them callable unqualified.
-- Modelled on supabase/postgres init-scripts and the grants seen in a Supabase database dump.

create schema if not exists extensions;
create schema if not exists auth authorization supabase_admin;
create schema if not exists storage authorization supabase_admin;
create schema if not exists realtime authorization supabase_admin;
create schema if not exists graphql_public authorization supabase_admin;
create schema if not exists pgbouncer authorization pgbouncer;

-- Re-assert owners in case a schema pre-existed with another owner.
alter schema auth owner to supabase_admin;
alter schema storage owner to supabase_admin;
alter schema realtime owner to supabase_admin;
alter schema graphql_public owner to supabase_admin;
alter schema pgbouncer owner to pgbouncer;

-- extensions: usable from the API roles.
grant usage on schema extensions to postgres, anon, authenticated, service_role, supabase_realtime_admin;
grant all on schema extensions to dashboard_user;

-- auth: the API roles may call auth.uid() & co; the tables stay private.
grant usage on schema auth to anon, authenticated, service_role, postgres, supabase_realtime_admin;
grant all on schema auth to supabase_auth_admin, dashboard_user;

-- storage: RLS on the tables decides what the API roles see.
grant usage on schema storage to anon, authenticated, service_role;
grant usage on schema storage to postgres with grant option;
grant all on schema storage to supabase_storage_admin with grant option;
grant all on schema storage to dashboard_user;

-- realtime
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin with grant option;

-- graphql_public (empty here: pg_graphql is not part of this stack)
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;

-- pgbouncer: nobody but its owner needs it
revoke all on schema pgbouncer from public;

-- public: the API roles may use it; realtime's admin may create in it.
grant usage on schema public to postgres, anon, authenticated, service_role;
grant usage, create on schema public to supabase_realtime_admin;
revoke all on schema public from pgbouncer;

-- Database-level grants (named after whichever database this runs in).
do $db$
begin
  execute format('grant create on database %I to supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin', current_database());
  execute format('grant all on database %I to dashboard_user', current_database());
end
$db$;

-- The extensions a new Supabase project has (those of them our Postgres ships), in schema
-- "extensions"; a project creates any other itself (a no-op for any already installed).
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

-- Supabase puts "extensions" on the search_path of its login roles (0001_roles.sql does that for
-- postgres/supabase_admin). We also set it on this database so sessions of any other login role
-- (e.g. authenticator) resolve uuid_generate_v4(), crypt(), similarity()... the same way.
-- Written only while this database has no search_path of its own, so a later change survives.
do $sp$
begin
  if not exists (
    select 1
      from pg_catalog.pg_db_role_setting s
      join pg_catalog.pg_database d on d.oid = s.setdatabase
     where d.datname = current_database()
       and s.setrole = 0
       and exists (select 1 from unnest(s.setconfig) c where c like 'search_path=%')
  ) then
    execute format('alter database %I set search_path = "$user", public, extensions', current_database());
  end if;
end
$sp$;

-- pgbouncer's auth_query helper, as in the supabase/postgres image.
create or replace function pgbouncer.get_auth(p_usename text)
returns table (username text, password text)
language plpgsql
security definer
set search_path = ''
as $fn$
begin
  raise debug 'PgBouncer auth request: %', p_usename;
  return query
    select a.rolname::text,
           case when a.rolvaliduntil < now() then null else a.rolpassword::text end
      from pg_catalog.pg_authid a
     where a.rolname = p_usename and a.rolcanlogin;
end
$fn$;

revoke all on function pgbouncer.get_auth(text) from public;
grant execute on function pgbouncer.get_auth(text) to pgbouncer;
