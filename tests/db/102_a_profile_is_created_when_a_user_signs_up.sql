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

select throws_ok(
  $$select tests.create_supabase_user('alice_again', null, '{"username": "ALICE_1"}')$$,
  '23505', null, 'a username taken in any case fails the sign-up');
select throws_ok(
  $$select tests.create_supabase_user('bad', null, '{"username": "no spaces"}')$$,
  '23514', null, 'an invalid username fails the sign-up');
select is((select count(*)::int from auth.users where email = 'bad@test.local'), 0,
  'a failed sign-up leaves no auth user behind');

delete from auth.users where id = tests.get_supabase_uid('alice');
select is((select count(*)::int from public.profiles where username = 'alice_1'), 0,
  'deleting the auth user deletes the profile');

select * from finish();
rollback;
