-- What `postgres` may do on Supabase without being a superuser, after supabase/postgres's
-- migrations (demote-postgres, grant-supabase-auth-admin-and-supabase-storage-admin-to-postgres,
-- grant_auth_roles_to_postgres, grant_extensions_perms_for_postgres, grant_pg_monitor_to_postgres,
-- grant_predefined_roles_to_postgres) and the supautils settings of its image.

-- The image creates the database's objects as postgres before demoting it: the database (so the
-- public schema, owned by pg_database_owner), the extensions schema and the realtime publication
-- are postgres's. Apps alter that publication, which only its owner may do.
do $owner$
begin
  execute format('alter database %I owner to postgres', current_database());
  execute format('grant all on database %I to postgres', current_database());
end
$owner$;
alter schema extensions owner to postgres;
alter publication supabase_realtime owner to postgres;

-- Memberships: owning auth's and storage's tables through their admins lets postgres add
-- triggers on auth.users and policies on storage.objects; the API roles let it `set role`.
grant supabase_auth_admin, supabase_storage_admin to postgres;
grant anon, authenticated, service_role to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

-- supautils lets postgres set pgrst.* (and the other allowed settings) on the reserved API roles,
-- e.g. `alter role authenticator set pgrst.db_pre_request = ...`. Postgres 16+ asks for ADMIN on
-- a role to change its settings: an admin-only membership (no inherit, no set role) gives that.
grant authenticator to postgres with admin true, inherit false, set false;
-- Changing a role's value of a placeholder setting (one no loaded module defines) needs SET on
-- it: PostgREST's in-database settings, as supautils allows pgrst.* (a grant names one setting).
grant set on parameter
  pgrst.db_pre_request, pgrst.db_pre_config, pgrst.db_schemas, pgrst.db_extra_search_path, pgrst.db_max_rows,
  pgrst.db_plan_enabled, pgrst.db_aggregates_enabled, pgrst.db_tx_end, pgrst.db_root_spec, pgrst.db_hoisted_tx_settings,
  pgrst.openapi_mode, pgrst.openapi_security_active, pgrst.openapi_server_proxy_uri,
  pgrst.jwt_aud, pgrst.jwt_role_claim_key, pgrst.jwt_cache_max_lifetime,
  pgrst.server_cors_allowed_origins, pgrst.server_trace_header, pgrst.server_timing_enabled
  to postgres;

-- supautils.policy_grants lets postgres manage the policies of realtime.messages (owned by
-- supabase_realtime_admin). Only an owner may do that in Postgres: postgres inherits that role's
-- ownership (it cannot `set role` to it). This also lets it alter realtime's tables, which
-- supautils would not.
grant supabase_realtime_admin to postgres with inherit true, set false;

-- demote-postgres: full rights on the platform schemas' current objects.
grant all on schema auth, extensions, storage to postgres;
grant all on all tables in schema auth, storage to postgres;
grant all on all sequences in schema auth, storage to postgres;
grant all on all routines in schema auth, storage to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on sequences to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on routines to postgres;

-- grant_extensions_perms_for_postgres: whatever the superuser puts in extensions (extension
-- members included) postgres may use and pass on.
grant all on all tables in schema extensions to postgres with grant option;
grant all on all sequences in schema extensions to postgres with grant option;
grant all on all routines in schema extensions to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions grant all on tables to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions grant all on sequences to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions grant all on routines to postgres with grant option;

-- supautils.privileged_role_allowed_configs: the server settings postgres may change although
-- Postgres reserves them for superusers (the core ones; extension settings need no grant here).
grant set on parameter session_replication_role, log_lock_waits, log_min_messages, track_io_timing to postgres;
