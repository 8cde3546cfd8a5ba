-- username_available(name) says whether a name can be taken (valid, and nobody has it in any
-- case, including people hidden from the caller by a block); anon and users may ask. Sign-up
-- turns a taken or invalid name into a unique valid one instead of failing.
begin;
select plan(16);

select tests.create_profile('alice');
select tests.create_profile('bob');

select tests.clear_authentication();
select is(public.username_available('alice'), false, 'a taken name is not available');
select is(public.username_available('ALICE'), false, 'in any case');
select is(public.username_available(' alice '), false, 'with spaces around it');
select is(public.username_available('carol'), true, 'a free valid name is available');
select is(public.username_available('Carol_2'), true, 'upper case is fine: sign-up lower-cases it');
select is(public.username_available('al'), false, 'a name under 3 characters is not');
select is(public.username_available(repeat('a', 31)), false, 'nor one over 30');
select is(public.username_available('no-dash'), false, 'nor one with other characters');
select is(public.username_available(null), false, 'nor null');

select tests.authenticate_as('bob');
insert into public.blocks (blocked_id) values (tests.get_supabase_uid('alice'));
select tests.authenticate_as('alice');
select is(public.username_available('bob'), false, 'a name hidden from the caller by a block is still taken');
select ok(has_function_privilege('anon', 'public.username_available(text)', 'execute')
  and has_function_privilege('authenticated', 'public.username_available(text)', 'execute'), 'anon and authenticated may ask');

reset role;
select tests.create_supabase_user('alice2', null, '{"username": "Alice"}');
select matches((select username::text from public.profiles where id = tests.get_supabase_uid('alice2')), '^alice_[0-9a-f]{6}$',
  'signing up as a taken name gives <name>_<6 hex digits of the user id>');
select tests.create_supabase_user('short', null, '{"username": "x"}');
select is((select username::text from public.profiles where id = tests.get_supabase_uid('short')), 'x__', 'a too short name is padded with _');
select tests.create_supabase_user('long', null, jsonb_build_object('username', repeat('é', 40)));
select is((select username::text from public.profiles where id = tests.get_supabase_uid('long')), repeat('_', 30),
  'a too long name of invalid characters is cut to 30 and made valid');
-- Someone holds every derived name: the fallbacks still find one.
select tests.create_supabase_user('twin', null, '{"username": "twin"}');
select tests.create_supabase_user('twin2', null, '{"username": "twin"}');
select tests.create_supabase_user('twin3', null, '{"username": "twin"}');
select is((select count(distinct p.username)::int from public.profiles p where p.id in
  (tests.get_supabase_uid('twin'), tests.get_supabase_uid('twin2'), tests.get_supabase_uid('twin3'))), 3,
  'three sign-ups with one name get three names');
select is((select count(*)::int from auth.users u join public.profiles p on p.id = u.id), (select count(*)::int from auth.users),
  'every auth user has a profile');

select * from finish();
rollback;
