-- Supabase's platform roles: API roles (anon, authenticated, service_role), PostgREST's login role
-- (authenticator) and the service/admin roles, after supabase/postgres init-scripts + role migrations.
-- Roles are cluster-wide, so each is created only when missing and its attributes re-asserted:
-- the file runs cleanly again, and on a second database of the same cluster.

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

-- Memberships: PostgREST logs in as authenticator and switches to the role named by the JWT;
-- Realtime's admin acts on behalf of the API roles. (Granted only when missing: no re-run noise.)
do $members$
declare
  m record;
begin
  for m in
    select * from (values
      ('anon', 'authenticator'), ('authenticated', 'authenticator'), ('service_role', 'authenticator'),
      ('anon', 'supabase_realtime_admin'), ('authenticated', 'supabase_realtime_admin'),
      ('service_role', 'supabase_realtime_admin')
    ) as t(granted, member)
  loop
    if not pg_catalog.pg_has_role(m.member, m.granted, 'member') then
      execute format('grant %I to %I', m.granted, m.member);
    end if;
  end loop;
end
$members$;

-- realtime.list_changes lowers its own log_min_messages.
grant set on parameter log_min_messages to supabase_realtime_admin;

-- Per-role settings, same values as Supabase. Each is written only while the role has no value
-- for that parameter yet, so a setting changed later (e.g. by an app migration) survives re-runs.
do $settings$
declare
  r record;
begin
  for r in
    select * from (values
      ('anon',                    'statement_timeout',                   $v$'3s'$v$),
      ('authenticated',           'statement_timeout',                   $v$'8s'$v$),
      ('authenticator',           'statement_timeout',                   $v$'8s'$v$),
      ('authenticator',           'lock_timeout',                        $v$'8s'$v$),
      ('postgres',                'search_path',                         $v$"$user", public, extensions$v$),
      ('supabase_admin',          'search_path',                         $v$"$user", public, auth, extensions$v$),
      ('supabase_auth_admin',     'search_path',                         $v$auth$v$),
      ('supabase_auth_admin',     'idle_in_transaction_session_timeout', $v$300000$v$),
      ('supabase_storage_admin',  'search_path',                         $v$storage$v$),
      ('supabase_realtime_admin', 'search_path',                         $v$public, extensions, realtime$v$)
    ) as t(rolname, param, val)
  loop
    if not exists (
      select 1
        from pg_catalog.pg_db_role_setting s
        join pg_catalog.pg_roles ro on ro.oid = s.setrole
       where ro.rolname = r.rolname
         and s.setdatabase = 0
         and exists (select 1 from unnest(s.setconfig) c where c like r.param || '=%')
    ) then
      execute format('alter role %I set %s = %s', r.rolname, r.param, r.val);
    end if;
  end loop;
end
$settings$;
