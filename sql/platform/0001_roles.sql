-- Platform roles of a Supabase database: the API roles (anon, authenticated, service_role),
-- the PostgREST login role (authenticator) and the service/admin roles, modelled on supabase/postgres
-- init-scripts (initial, auth, storage, realtime, post-setup) plus its later role migrations.
-- Roles are cluster-wide: every role is created only when missing, then its attributes are
-- (re)asserted, so this file also runs cleanly on a second database of the same cluster.

do $roles$
declare
  r record;
begin
  for r in
    select * from (values
      -- name,                     attributes asserted on every run
      ('anon',                     'nologin inherit'),
      ('authenticated',            'nologin inherit'),
      ('service_role',             'nologin inherit bypassrls'),
      ('authenticator',            'login noinherit'),
      ('supabase_admin',           'login superuser createdb createrole replication bypassrls'),
      ('supabase_auth_admin',      'login noinherit nocreaterole noreplication'),
      ('supabase_storage_admin',   'login noinherit createrole noreplication'),
      ('supabase_realtime_admin',  'login noinherit createrole replication'),
      ('dashboard_user',           'nologin nosuperuser createdb createrole replication'),
      ('pgbouncer',                'login')
    ) as t(rolname, attrs)
  loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r.rolname) then
      begin
        execute format('create role %I', r.rolname);
      exception when duplicate_object then
        null; -- created concurrently by another database's bootstrap
      end;
    end if;
    execute format('alter role %I with %s', r.rolname, r.attrs);
  end loop;
end
$roles$;

-- Local-development passwords, as the supabase docker/CLI stacks set them (all "postgres").
-- Only filled in when the role has none, so a password changed by hand survives a re-run.
do $passwords$
declare
  n text;
begin
  foreach n in array array['authenticator', 'supabase_admin', 'supabase_auth_admin', 'supabase_storage_admin', 'pgbouncer']
  loop
    if exists (select 1 from pg_catalog.pg_authid where rolname = n and rolpassword is null) then
      execute format('alter role %I with password %L', n, 'postgres');
    end if;
  end loop;
end
$passwords$;

-- PostgREST logs in as authenticator and switches to the role named by the JWT.
grant anon, authenticated, service_role to authenticator;

-- Realtime's admin acts on behalf of the API roles and tunes its own logging.
grant anon, authenticated, service_role to supabase_realtime_admin;
grant set on parameter log_min_messages to supabase_realtime_admin;

-- Per-role settings (cluster-wide, same values as Supabase).
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

alter role postgres set search_path = "$user", public, extensions;
alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 300000;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;
