-- Staff roles, carried in the JWT (Supabase's RBAC pattern): the service role (Studio) writes
-- public.user_roles, and GoTrue's custom access token hook copies a user's role into every
-- access token it issues as the claim "user_role". Policies read the claim, never the table,
-- so a role change takes effect at the user's next token refresh.

-- TYPES ----------------------------------------------------------------------------------------
create type public.app_role as enum ('moderator', 'admin');

-- TABLE ----------------------------------------------------------------------------------------
create table public.user_roles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  role public.app_role not null
);

comment on table public.user_roles is 'Staff roles (moderator, admin), written by the service role; the access token hook reads them.';

-- PRIVILEGES -----------------------------------------------------------------------------------
-- No API role reads or writes it: only the service role (which bypasses RLS) and GoTrue's own
-- role, which runs the hook.
revoke all on table public.user_roles from anon, authenticated, public;
grant all on table public.user_roles to service_role;
grant select on table public.user_roles to supabase_auth_admin;

-- RLS ------------------------------------------------------------------------------------------
alter table public.user_roles enable row level security;

create policy "The auth server reads user roles"
  on public.user_roles for select
  to supabase_auth_admin
  using (true);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- GoTrue's contract: called with {user_id, claims, authentication_method}, answers {claims}.
-- A staff member gets "user_role"; anyone else gets no such claim (one carried over from the
-- input is dropped, so nothing upstream can grant a role).
create or replace function public.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  claims jsonb := coalesce(event -> 'claims', '{}'::jsonb) - 'user_role';
  staff_role public.app_role;
begin
  select r.role into staff_role
    from public.user_roles r
   where r.user_id::text = event ->> 'user_id';
  if staff_role is not null then
    claims := claims || jsonb_build_object('user_role', staff_role);
  end if;
  return jsonb_build_object('claims', claims);
end;
$$;

grant usage on schema public to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb) from public, anon, authenticated;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
