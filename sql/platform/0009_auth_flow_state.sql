-- GoTrue's auth.flow_state (PKCE): one row per started flow, keyed by the auth code handed to
-- the redirect, consumed by /token?grant_type=pkce. Shape as after supabase/auth migrations
-- 20230322519590, 20230402418590, 20230508135423, 20240306115329 and 20260115000000.
do $types$
begin
  create type auth.code_challenge_method as enum ('s256', 'plain');
exception when duplicate_object then null;
end
$types$;

create table if not exists auth.flow_state (
  id                     uuid primary key,
  user_id                uuid null,
  auth_code              text null,
  code_challenge_method  auth.code_challenge_method null,
  code_challenge         text null,
  provider_type          text not null,
  provider_access_token  text null,
  provider_refresh_token text null,
  created_at             timestamptz null,
  updated_at             timestamptz null,
  authentication_method  text not null,
  auth_code_issued_at    timestamptz null,
  invite_token           text null,
  referrer               text null,
  oauth_client_state_id  uuid null,
  linking_target_id      uuid null,
  email_optional         boolean not null default false
);
comment on table auth.flow_state is 'Stores metadata for all OAuth/SSO login flows';
create index if not exists idx_auth_code on auth.flow_state (auth_code);
create index if not exists idx_user_id_auth_method on auth.flow_state (user_id, authentication_method);
create index if not exists flow_state_created_at_idx on auth.flow_state (created_at desc);

alter table auth.flow_state owner to supabase_auth_admin;
alter type auth.code_challenge_method owner to supabase_auth_admin;
alter table auth.flow_state enable row level security;
grant all on table auth.flow_state to supabase_auth_admin, postgres, dashboard_user;
grant select on table auth.flow_state to postgres with grant option;
