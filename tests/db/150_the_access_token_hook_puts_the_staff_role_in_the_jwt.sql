-- public.custom_access_token_hook, called as GoTrue calls it (as supabase_auth_admin, with
-- {user_id, claims, authentication_method}), answers {claims} with user_role for a moderator
-- or admin and without it for anyone else, whatever the input claimed. Only supabase_auth_admin
-- may run it or read user_roles; only the service role writes user_roles.
begin;
select plan(19);

select tests.create_profile('alice');
select tests.create_profile('mod');
select tests.create_profile('boss');
select tests.give_role('mod', 'moderator');
select tests.give_role('boss', 'admin');

create function pg_temp.hook_for(who text, extra jsonb default '{}') returns jsonb language plpgsql as $$
declare
  uid uuid := tests.get_supabase_uid(who);
  out jsonb;
begin
  perform set_config('role', 'supabase_auth_admin', true);
  out := public.custom_access_token_hook(jsonb_build_object(
    'user_id', uid, 'authentication_method', 'password',
    'claims', jsonb_build_object('sub', uid, 'role', 'authenticated', 'aud', 'authenticated') || extra));
  perform set_config('role', 'postgres', true);
  return out;
end $$;

select is(pg_temp.hook_for('mod') -> 'claims' ->> 'user_role', 'moderator', 'a moderator''s token carries user_role = moderator');
select is(pg_temp.hook_for('boss') -> 'claims' ->> 'user_role', 'admin', 'an admin''s token carries user_role = admin');
select ok(not (pg_temp.hook_for('alice') -> 'claims' ? 'user_role'), 'an ordinary user''s token has no user_role claim');
select ok(not (pg_temp.hook_for('alice', '{"user_role": "admin"}') -> 'claims' ? 'user_role'),
  'a user_role in the incoming claims is dropped for an ordinary user');
select is(pg_temp.hook_for('mod', '{"user_role": "admin"}') -> 'claims' ->> 'user_role', 'moderator',
  'and replaced by the real role for staff');
select is((pg_temp.hook_for('alice') -> 'claims') - 'user_role',
  jsonb_build_object('sub', tests.get_supabase_uid('alice'), 'role', 'authenticated', 'aud', 'authenticated'),
  'every other claim passes through unchanged');
select is((select array_agg(k order by k) from jsonb_object_keys(pg_temp.hook_for('mod')) k), array['claims'],
  'the answer is {claims}, as GoTrue''s contract has it');

update public.user_roles set role = 'admin' where user_id = tests.get_supabase_uid('mod');
select is(pg_temp.hook_for('mod') -> 'claims' ->> 'user_role', 'admin', 'a changed role shows in the next token');
delete from public.user_roles where user_id = tests.get_supabase_uid('mod');
select ok(not (pg_temp.hook_for('mod') -> 'claims' ? 'user_role'), 'a removed role leaves the next token without user_role');

-- Who may run the hook and read the table.
select ok(has_function_privilege('supabase_auth_admin', 'public.custom_access_token_hook(jsonb)', 'execute'), 'supabase_auth_admin runs the hook');
select ok(not has_function_privilege('authenticated', 'public.custom_access_token_hook(jsonb)', 'execute'), 'authenticated cannot run the hook');
select ok(not has_function_privilege('anon', 'public.custom_access_token_hook(jsonb)', 'execute'), 'anon cannot run the hook');
select ok(not has_function_privilege('public', 'public.custom_access_token_hook(jsonb)', 'execute'), 'PUBLIC cannot run the hook');
select ok(has_table_privilege('supabase_auth_admin', 'public.user_roles', 'select'), 'supabase_auth_admin reads user_roles');

select tests.authenticate_through_hook('boss');
select throws_ok($$select * from public.user_roles$$, '42501', null, 'even an admin cannot read user_roles through the API: roles are given in Studio');
select throws_ok(format($$insert into public.user_roles values (%L, 'admin')$$, tests.get_supabase_uid('alice')),
  '42501', null, 'an admin cannot give roles through the API');
select tests.authenticate_as('alice');
select throws_ok(format($$insert into public.user_roles values (%L, 'admin')$$, tests.get_supabase_uid('alice')),
  '42501', null, 'a user cannot make themselves admin');
select tests.clear_authentication();
select throws_ok($$select * from public.user_roles$$, '42501', null, 'anon cannot read user_roles');

select tests.authenticate_as_service_role();
select lives_ok(format($$insert into public.user_roles values (%L, 'moderator')$$, tests.get_supabase_uid('alice')),
  'the service role (Studio) gives a role');

select * from finish();
rollback;
