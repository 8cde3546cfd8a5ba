-- The app's internal schema: trigger functions and helpers that clients must never call.
-- It is not in [api].schemas, so PostgREST does not expose it, and the API roles have no usage
-- on it (triggers run their functions without any privilege check on the caller).

create schema if not exists private;
revoke all on schema private from public;

-- updated_at for every table that has one.
create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
