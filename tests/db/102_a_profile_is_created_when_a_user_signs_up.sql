-- Signing up (a row in auth.users) creates the profile from the sign-up metadata.
begin;
select plan(8);

select tests.create_supabase_user('alice', null, '{"username": "Alice_1", "display_name": "Alice A."}');
select results_eq(
  $$select username::text, display_name from public.profiles where id = tests.get_supabase_uid('alice')$$,
  $$values ('alice_1', 'Alice A.')$$,
  'the username comes from the metadata, lower-cased, with the display name');

select tests.create_supabase_user('nameless');
select matches(
  (select username::text from public.profiles where id = tests.get_supabase_uid('nameless')),
  '^user_[0-9a-f]{25}$',
  'without a username in the metadata a unique one is derived from the user id');

select tests.create_supabase_user('nameless2');
select isnt(
  (select username::text from public.profiles where id = tests.get_supabase_uid('nameless')),
  (select username::text from public.profiles where id = tests.get_supabase_uid('nameless2')),
  'two nameless sign-ups get different usernames');

select is(
  (select followers_count + following_count + posts_count from public.profiles where id = tests.get_supabase_uid('alice')),
  0, 'a new profile starts with zero counters');

select tests.create_supabase_user('alice_again', null, '{"username": "ALICE_1"}');
select matches(
  (select username::text from public.profiles where id = tests.get_supabase_uid('alice_again')),
  '^alice_1_[0-9a-f]{6}$',
  'a username taken in any case does not fail the sign-up: the name gets 6 hex digits of the user id');
select tests.create_supabase_user('bad', null, '{"username": "no spaces!"}');
select is((select username::text from public.profiles where id = tests.get_supabase_uid('bad')), 'no_spaces_',
  'an invalid username does not fail the sign-up: each invalid character becomes _');
select is((select count(*)::int from public.profiles p join auth.users u on u.id = p.id where u.email in ('bad@test.local', 'alice_again@test.local')), 2,
  'both sign-ups have their auth user and profile');

delete from auth.users where id = tests.get_supabase_uid('alice');
select is((select count(*)::int from public.profiles where username = 'alice_1'), 0,
  'deleting the auth user deletes the profile');

select * from finish();
rollback;
