-- Every app function pins search_path to ''; SECURITY DEFINER ones are only delete_account and
-- trigger functions in the unexposed private schema; execute rights are as narrow as intended.
begin;
select plan(14);

select is_empty($$
  select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'private', 'rls') and not coalesce(p.proconfig, '{}') @> array['search_path=""']$$,
  'every function in public, private and rls has search_path = ''''');
select results_eq($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'public' and p.prosecdef order by 1$$,
  array['delete_account()'], 'the only SECURITY DEFINER function clients can call is delete_account');
select ok(not has_schema_privilege('anon', 'private', 'usage') and not has_schema_privilege('authenticated', 'private', 'usage'),
  'the API roles cannot reach the private schema');

select ok(not has_function_privilege('anon', 'public.delete_account()', 'execute'), 'anon cannot execute delete_account');
select ok(has_function_privilege('authenticated', 'public.delete_account()', 'execute'), 'authenticated can execute delete_account');
select ok(not has_function_privilege('anon', 'public.feed(integer, timestamptz, bigint)', 'execute'), 'anon cannot execute feed');
select ok(not has_function_privilege('anon', 'public.mark_notifications_read(bigint[])', 'execute'), 'anon cannot execute mark_notifications_read');
select ok(has_function_privilege('anon', 'public.search_posts(text)', 'execute')
  and has_function_privilege('anon', 'public.search_profiles(text)', 'execute')
  and has_function_privilege('anon', 'public.posts_by_hashtag(text)', 'execute')
  and has_function_privilege('anon', 'public.trending_hashtags(integer, integer)', 'execute'),
  'anon can search and browse hashtags');
select ok(has_function_privilege('anon', 'public.liked_by_me(public.posts)', 'execute'), 'anon can read liked_by_me (always false)');
select ok(not exists (
  select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'public' and has_function_privilege('public', p.oid, 'execute')),
  'no public function is executable by PUBLIC');

-- The rls schema: read-only helpers that policies call as the table owner (blocks hidden from
-- the caller). The API roles may call them, but the schema is not exposed over HTTP.
select results_eq($$
  select p.oid::regprocedure::text || ' ' || p.prosecdef || ' ' || p.provolatile::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'rls' order by 1$$,
  array['rls.hidden_user_ids() true s', 'rls.is_hidden_comment(bigint) true s', 'rls.is_hidden_post(bigint) true s',
        'rls.matching_post_ids(text) true s', 'rls.matching_profile_ids(text) true s', 'rls.username_taken(text) true s'],
  'the rls schema holds exactly the policy helpers, each SECURITY DEFINER and STABLE (read-only)');
select ok(not has_schema_privilege('anon', 'rls', 'create') and not has_schema_privilege('authenticated', 'rls', 'create'),
  'the API roles cannot create objects in the rls schema');
select ok(has_function_privilege('anon', 'public.username_available(text)', 'execute'), 'anon can execute username_available');
select ok(not has_function_privilege('authenticated', 'public.custom_access_token_hook(jsonb)', 'execute')
  and has_function_privilege('supabase_auth_admin', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'only supabase_auth_admin executes custom_access_token_hook');

select * from finish();
rollback;
