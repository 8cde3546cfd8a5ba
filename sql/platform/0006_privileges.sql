-- Default privileges on schema public, as in supabase/postgres's initial schema: whatever postgres
-- or supabase_admin creates in public (tables, sequences, functions) is granted in full to the API
-- roles, so exposure is governed by RLS, not by per-table grants in every app migration.

grant usage on schema public to postgres, anon, authenticated, service_role;

-- objects created by postgres (app migrations run as postgres)
alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;

-- objects created by supabase_admin
alter default privileges for role supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
