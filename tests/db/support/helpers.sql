-- Test helpers in the spirit of supabase-test-helpers: every RLS test reads in three lines.
-- Installed once into the throwaway test database (never into a real one).
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

create or replace function tests.create_supabase_user(identifier text, email text default null, metadata jsonb default '{}')
returns uuid language plpgsql security definer set search_path = '' as $$
declare
  user_id uuid := extensions.gen_random_uuid();
begin
  insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values (user_id, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          coalesce(email, identifier || '@test.local'), extensions.crypt('password', extensions.gen_salt('bf', 4)), now(),
          jsonb_build_object('provider', 'email', 'providers', array['email'], 'test_identifier', identifier),
          metadata, now(), now());
  return user_id;
end $$;

create or replace function tests.get_supabase_uid(identifier text)
returns uuid language sql security definer set search_path = '' as $$
  select id from auth.users where raw_app_meta_data ->> 'test_identifier' = identifier limit 1
$$;

-- Acts as the named user for the rest of the transaction, with the claims GoTrue would issue.
-- Read with the definer's rights: the caller may already be acting as a user without access to auth.users.
create or replace function tests.get_supabase_user(identifier text)
returns auth.users language sql security definer set search_path = '' as $$
  select * from auth.users where raw_app_meta_data ->> 'test_identifier' = identifier limit 1
$$;

create or replace function tests.authenticate_as(identifier text)
returns void language plpgsql as $$
declare
  u auth.users;
begin
  u := tests.get_supabase_user(identifier);
  if u.id is null then
    raise exception 'tests.authenticate_as: no test user %', identifier;
  end if;
  perform set_config('request.jwt.claims', json_build_object(
    'sub', u.id, 'role', 'authenticated', 'aud', 'authenticated', 'email', u.email,
    'app_metadata', u.raw_app_meta_data, 'user_metadata', u.raw_user_meta_data)::text, true);
  perform set_config('role', 'authenticated', true);
end $$;

create or replace function tests.authenticate_as_service_role()
returns void language plpgsql as $$
begin
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
  perform set_config('role', 'service_role', true);
end $$;

create or replace function tests.clear_authentication()
returns void language plpgsql as $$
begin
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
  perform set_config('role', 'anon', true);
end $$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
