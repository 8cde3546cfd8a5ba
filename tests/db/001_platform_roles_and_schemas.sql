-- The platform has Supabase's roles, schemas and extensions before any app migration runs.
begin;
select plan(21);

select has_role(r) from unnest(array['anon', 'authenticated', 'service_role', 'authenticator',
  'supabase_admin', 'supabase_auth_admin', 'supabase_storage_admin']) as r;

select ok(not rolcanlogin, 'anon cannot log in') from pg_roles where rolname = 'anon';
select ok(not rolcanlogin, 'authenticated cannot log in') from pg_roles where rolname = 'authenticated';
select ok(rolbypassrls, 'service_role bypasses RLS') from pg_roles where rolname = 'service_role';
select ok(not rolbypassrls, 'authenticated does not bypass RLS') from pg_roles where rolname = 'authenticated';
select ok(rolcanlogin and not rolinherit, 'authenticator logs in and does not inherit') from pg_roles where rolname = 'authenticator';
select ok(pg_has_role('authenticator', r, 'member'), 'authenticator may switch to ' || r)
  from unnest(array['anon', 'authenticated', 'service_role']) as r;

select has_schema(s) from unnest(array['auth', 'storage', 'realtime', 'extensions']) as s;

select is(
  (select array_agg(e.extname::text order by e.extname) from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where n.nspname = 'extensions' and e.extname in ('citext', 'pg_trgm', 'pgcrypto', 'unaccent', 'uuid-ossp')),
  array['citext', 'pg_trgm', 'pgcrypto', 'unaccent', 'uuid-ossp'],
  'pgcrypto, pg_trgm, citext, unaccent and uuid-ossp are installed in schema extensions');

select ok(exists (select 1 from pg_publication where pubname = 'supabase_realtime'), 'the supabase_realtime publication exists');

select * from finish();
rollback;
