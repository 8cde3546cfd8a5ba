-- `postgres` as the supabase/postgres image leaves it (demote-postgres and the grant_* role
-- migrations): a login role that is not a superuser, with the attributes and memberships below;
-- supabase_admin bootstraps the cluster. Extensions postgres creates belong to supabase_admin.
begin;
select plan(19);

select is(
  (select rolname::text from pg_roles where oid = 10), 'supabase_admin',
  'supabase_admin is the bootstrap superuser');
select is(
  (select row(rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls)::text
     from pg_roles where rolname = 'postgres'),
  '(f,t,t,t,t,t,t)',
  'postgres: nosuperuser inherit createrole createdb login replication bypassrls');
select is(
  (select array_agg(b.rolname::text order by b.rolname) from pg_auth_members m
     join pg_roles b on b.oid = m.roleid join pg_roles u on u.oid = m.member
    where u.rolname = 'postgres' and m.inherit_option and m.set_option),
  array['anon', 'authenticated', 'pg_monitor', 'pg_read_all_data', 'pg_signal_backend', 'service_role',
        'supabase_auth_admin', 'supabase_storage_admin'],
  'postgres is a member of exactly the roles Supabase grants it');
select ok(
  (select not bool_or(m.admin_option) from pg_auth_members m
     join pg_roles u on u.oid = m.member where u.rolname = 'postgres' and m.inherit_option),
  'postgres administers none of the roles it inherits');
select is(
  (select array_agg(row(b.rolname, m.admin_option, m.inherit_option, m.set_option)::text) from pg_auth_members m
     join pg_roles b on b.oid = m.roleid join pg_roles u on u.oid = m.member
    where u.rolname = 'postgres' and m.inherit_option and not m.set_option),
  array['(supabase_realtime_admin,f,t,f)'],
  'postgres inherits supabase_realtime_admin''s ownership only to manage realtime.messages policies (supautils policy_grants)');
select is(
  (select array_agg(row(b.rolname, m.admin_option, m.inherit_option, m.set_option)::text) from pg_auth_members m
     join pg_roles b on b.oid = m.roleid join pg_roles u on u.oid = m.member
    where u.rolname = 'postgres' and not m.inherit_option),
  array['(authenticator,t,f,f)'],
  'postgres administers authenticator only to set its pgrst.* settings (supautils allows that), without becoming it');
select ok(not pg_has_role('postgres', 'supabase_admin', 'member'), 'postgres cannot become supabase_admin');
select is((select setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
            where r.rolname = 'postgres' and s.setdatabase = 0),
  array['search_path="$user", public, extensions'], 'postgres''s search_path includes extensions');
select is(pg_get_userbyid(datdba)::text, 'postgres', 'postgres owns the database') from pg_database where datname = current_database();
select is(pg_get_userbyid(pubowner)::text, 'postgres', 'postgres owns the supabase_realtime publication')
  from pg_publication where pubname = 'supabase_realtime';
select ok(has_table_privilege('postgres', 'auth.users', 'select, insert, update, delete, trigger'),
  'postgres has every right on auth.users');
select ok(has_table_privilege('postgres', 'storage.objects', 'select, insert, update, delete'),
  'postgres has every right on storage.objects');
select ok(has_parameter_privilege('postgres', 'session_replication_role', 'set'),
  'postgres may set session_replication_role (supautils allows it)');
select ok(not has_parameter_privilege('postgres', 'shared_buffers', 'alter system'), 'postgres may not alter system settings');

-- As postgres: a new extension is created as the superuser (the objects are its), and
-- superuser-only statements fail with Postgres's own error.
set local role postgres;
select lives_ok('create extension if not exists hstore with schema extensions', 'postgres creates a privileged extension');
select is(pg_get_userbyid(p.proowner)::text, 'supabase_admin', 'its functions belong to the bootstrap superuser')
  from pg_proc p where p.proname = 'hstore_in';
select throws_ok('create extension pageinspect', '42501', null, 'an extension Supabase withholds needs a superuser');
select throws_ok($$create function c_fn() returns int language c as 'libc', 'abs'$$, '42501', null,
  'an untrusted language (C) needs a superuser');
select throws_ok($$copy (select 1) to program 'true'$$, '42501', null, 'running a server program needs a superuser');

select * from finish();
rollback;
