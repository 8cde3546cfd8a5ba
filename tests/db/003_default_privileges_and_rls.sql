-- A table an app migration creates in public is reachable by the API roles, and RLS decides rows.
begin;
select plan(8);

create table public.platform_probe (id uuid primary key references auth.users on delete cascade, note text);
alter table public.platform_probe enable row level security;
create policy "Owners read their own probe" on public.platform_probe for select to authenticated
  using ((select auth.uid()) = id);

select table_privs_are('public', 'platform_probe', 'anon', array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'],
  'anon gets Supabase''s default privileges on new public tables');
select table_privs_are('public', 'platform_probe', 'authenticated', array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'],
  'authenticated gets Supabase''s default privileges on new public tables');
select table_privs_are('public', 'platform_probe', 'service_role', array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'],
  'service_role gets Supabase''s default privileges on new public tables');

select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');
insert into public.platform_probe values (tests.get_supabase_uid('alice'), 'a'), (tests.get_supabase_uid('bob'), 'b');

select tests.authenticate_as('alice');
select results_eq('select note from public.platform_probe', array['a'], 'alice sees only her own row');

select tests.authenticate_as('bob');
select results_eq('select note from public.platform_probe', array['b'], 'bob sees only his own row');

select tests.clear_authentication();
select is_empty('select * from public.platform_probe', 'anon sees no rows: no policy grants it any');

select tests.authenticate_as_service_role();
select results_eq('select count(*)::int from public.platform_probe', array[2], 'service_role bypasses RLS');

reset role;
select ok((select count(*) from auth.users) >= 2, 'test users live in auth.users');

select * from finish();
rollback;
