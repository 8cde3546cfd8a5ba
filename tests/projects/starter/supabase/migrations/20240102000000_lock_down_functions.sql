-- Functions are private unless granted (a common hardening step), then pgTAP for the suite.
alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;

create function public.secret_count() returns bigint
  language sql stable
  as $$ select count(*) from public.api_keys $$;
grant execute on function public.secret_count() to service_role;

create extension if not exists pgtap with schema extensions;
