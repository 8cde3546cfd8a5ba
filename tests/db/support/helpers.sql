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
returns void language plpgsql set search_path = '' as $$
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

-- Acts as the named user with the claims the access token hook gives them (GoTrue runs the hook
-- as supabase_auth_admin on every token it issues): a staff member's token carries user_role.
create or replace function tests.authenticate_through_hook(identifier text)
returns void language plpgsql set search_path = '' as $$
declare
  u auth.users;
  claims jsonb;
begin
  u := tests.get_supabase_user(identifier);
  if u.id is null then
    raise exception 'tests.authenticate_through_hook: no test user %', identifier;
  end if;
  perform set_config('role', 'supabase_auth_admin', true);
  claims := public.custom_access_token_hook(jsonb_build_object(
    'user_id', u.id, 'authentication_method', 'password',
    'claims', jsonb_build_object('sub', u.id, 'role', 'authenticated', 'aud', 'authenticated', 'email', u.email,
      'app_metadata', u.raw_app_meta_data, 'user_metadata', u.raw_user_meta_data))) -> 'claims';
  perform set_config('request.jwt.claims', claims::text, true);
  perform set_config('role', 'authenticated', true);
end $$;

-- A staff role, as an admin gives it in Studio (the service role writes user_roles).
create or replace function tests.give_role(identifier text, staff_role text)
returns void language sql security definer set search_path = '' as $$
  insert into public.user_roles (user_id, role) values (tests.get_supabase_uid(identifier), staff_role::public.app_role)
  on conflict (user_id) do update set role = excluded.role;
$$;

create or replace function tests.authenticate_as_service_role()
returns void language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
  perform set_config('role', 'service_role', true);
end $$;

create or replace function tests.clear_authentication()
returns void language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
  perform set_config('role', 'anon', true);
end $$;


-- A user with a profile named `username` (the sign-up trigger reads it from the metadata).
create or replace function tests.create_profile(username text, display_name text default null)
returns uuid language sql security definer set search_path = '' as $$
  select tests.create_supabase_user(username, null,
    jsonb_strip_nulls(jsonb_build_object('username', username, 'display_name', display_name)));
$$;

-- TAP: every table of the schema has row level security on.
-- (pgTAP's own functions call each other unqualified: they need extensions on the path.)
create or replace function tests.rls_enabled(testing_schema text)
returns text language sql set search_path = extensions, pg_catalog as $$
  select extensions.is(
    (select count(*)::int from pg_catalog.pg_tables where schemaname = testing_schema and not rowsecurity),
    0,
    format('every table in schema %I has row level security enabled', testing_schema));
$$;

-- The plan of a query as text (EXPLAIN, format json), for index-usage assertions.
create or replace function tests.plan_of(query text)
returns text language plpgsql set search_path = '' as $$
declare
  plan json;
begin
  execute 'explain (format json) ' || query into plan;
  return plan::text;
end $$;

-- TAP: the plan of `query` reads the index `index_name`.
create or replace function tests.uses_index(query text, index_name text, description text)
returns text language plpgsql set search_path = extensions, pg_catalog as $$
declare
  plan text := tests.plan_of(query);
begin
  return extensions.ok(plan like '%"Index Name": "' || index_name || '"%', description)
    || case when plan like '%"Index Name": "' || index_name || '"%' then ''
            else E'\n' || extensions.diag('plan: ' || plan) end;
end $$;

-- The body of a SQL function with its named arguments replaced by literals: the exact query the
-- function runs, ready for EXPLAIN. `args` maps argument names to SQL literals.
create or replace function tests.function_query(fn regprocedure, args jsonb)
returns text language plpgsql set search_path = '' as $$
declare
  body text;
  fname text;
  names text[];
  arg record;
begin
  select p.prosrc, p.proname, p.proargnames into body, fname, names from pg_catalog.pg_proc p where p.oid = fn;
  -- A PL/pgSQL body that runs its query with `execute $q$ ... $q$ using ...` names the
  -- arguments by position ($1, $2...) inside that query.
  if body ~ 'execute \$q\$' then
    body := substring(body from '\$q\$(.*)\$q\$');
    for i in reverse coalesce(array_length(names, 1), 0)..1 loop
      if args ? names[i] then
        body := replace(body, '$' || i, args ->> names[i]);
      end if;
    end loop;
  -- A PL/pgSQL body that is one `return (<query>);` (planned once per connection) explains as
  -- that query.
  elsif body ~ '^\s*begin\s+return \(' then
    body := substring(body from 'return \((.*)\);\s*end');
  end if;
  for arg in select key, value from jsonb_each_text(args) loop
    body := replace(body, fname || '.' || arg.key, arg.value);
  end loop;
  return rtrim(btrim(body), ';' || E'\n ');
end $$;

-- A deterministic network for plan checks: `users` users (username u0001, u0002, ...),
-- posts_per_user posts each spread over the last two weeks (every post tagged #topic<0-99>,
-- every 10th also #weekly, every 50th says "zanzibar"), each user following the next
-- follows_per_user users, a follow notification per follow; then ANALYZE so the planner sees
-- real sizes. Loaded in bulk with triggers off (what the triggers would write is written here
-- set-wise), inside the test's transaction.
create or replace function tests.seed_network(users int, posts_per_user int, follows_per_user int)
returns void language plpgsql security definer set search_path = '' as $$
begin
  set local session_replication_role = replica;
  create temporary table seeded on commit drop as
    select extensions.gen_random_uuid() as id, n, 'u' || lpad(n::text, 4, '0') as username
      from generate_series(1, users) n;
  insert into auth.users (id, instance_id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  select id, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', username || '@seed.local',
         jsonb_build_object('provider', 'email', 'test_identifier', username), '{}', now(), now()
    from seeded;
  insert into public.profiles (id, username, display_name)
  select id, username, 'Seed Person ' || n from seeded;
  insert into public.posts (author_id, content, created_at)
  select s.id,
         'post ' || k || ' by ' || s.username || ' #topic' || ((s.n + k) % 100)
           || case when k % 10 = 0 then ' #weekly' else '' end
           || case when k % 50 = 0 then ' zanzibar' else ' ordinary words here' end,
         now() - make_interval(mins => ((s.n * 7 + k * 997) % 20000)::int)
    from seeded s, generate_series(1, posts_per_user) k;
  insert into public.follows (follower_id, followee_id)
  select a.id, b.id
    from seeded a
    join generate_series(1, follows_per_user) k on true
    join seeded b on b.n = (a.n + k - 1) % users + 1
   where a.id <> b.id
  on conflict do nothing;
  insert into public.notifications (recipient_id, actor_id, type)
  select followee_id, follower_id, 'follow' from public.follows;
  insert into public.hashtags (tag)
  select distinct t from public.posts p, unnest(private.extract_hashtags(p.content)) t
  on conflict do nothing;
  insert into public.post_hashtags (post_id, hashtag_id, post_created_at)
  select p.id, h.id, p.created_at
    from public.posts p, unnest(private.extract_hashtags(p.content)) t, public.hashtags h
   where h.tag operator(extensions.=) t::extensions.citext
  on conflict do nothing;
  set local session_replication_role = origin;
  -- As autovacuum would have by then: GIN's pending list merged into the index proper.
  perform pg_catalog.gin_clean_pending_list(i.indexrelid::regclass)
     from pg_catalog.pg_index i join pg_catalog.pg_am am on am.oid = (select relam from pg_catalog.pg_class where oid = i.indexrelid)
    where i.indrelid in ('public.posts'::regclass, 'public.profiles'::regclass) and am.amname = 'gin';
  analyze auth.users;
  analyze public.profiles;
  analyze public.posts;
  analyze public.follows;
  analyze public.notifications;
  analyze public.hashtags;
  analyze public.post_hashtags;
end $$;

-- When and on what a trigger fires, read back from its definition: e.g.
-- 'AFTER INSERT OR DELETE FOR EACH ROW' or 'BEFORE UPDATE OF content FOR EACH ROW'.
create or replace function tests.trigger_events(tbl regclass, trigger_name name)
returns text language sql stable set search_path = '' as $$
  select regexp_replace(pg_catalog.pg_get_triggerdef(t.oid),
                        '^CREATE TRIGGER \S+ (.*) ON \S+ (FOR EACH \w+) EXECUTE .*$', '\1 \2')
    from pg_catalog.pg_trigger t
   where t.tgrelid = tbl and t.tgname = trigger_name
$$;

-- A function's SET options (proconfig), e.g. {search_path=""}; null when it sets none.
create or replace function tests.function_config(fn regprocedure)
returns text[] language sql stable set search_path = '' as $$
  select p.proconfig from pg_catalog.pg_proc p where p.oid = fn
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
