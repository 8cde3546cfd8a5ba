-- The sign-up trigger (on_auth_user_created -> private.handle_new_user) reads the profile's
-- username, display name and avatar from the metadata GoTrue stores, trimmed and bounded to what
-- the profile's columns allow. (102 covers usernames that are taken or invalid.)
begin;
select plan(7);

select tests.create_supabase_user('oauth', null, '{"full_name": "Grace Hopper", "avatar_url": "https://img.example/g.png"}');
select results_eq(
  $$select display_name, avatar_url from public.profiles where id = tests.get_supabase_uid('oauth')$$,
  $$values ('Grace Hopper', 'https://img.example/g.png')$$,
  'an OAuth sign-up''s full_name becomes the display name and its avatar_url the avatar');

select tests.create_supabase_user('both', null, '{"display_name": "Chosen", "full_name": "Ignored"}');
select is((select display_name from public.profiles where id = tests.get_supabase_uid('both')), 'Chosen',
  'display_name wins over full_name');

select tests.create_supabase_user('spaced', null, '{"username": "  Spaced_Out  ", "display_name": "   "}');
select results_eq(
  $$select username::text, display_name from public.profiles where id = tests.get_supabase_uid('spaced')$$,
  $$values ('spaced_out', null::text)$$,
  'the username is trimmed and lower-cased; a blank display name is none');

select tests.create_supabase_user('long', null, jsonb_build_object('display_name', repeat('x', 80), 'avatar_url', 'https://img.example/' || repeat('a', 600)));
select is((select char_length(display_name) from public.profiles where id = tests.get_supabase_uid('long')), 50,
  'a display name longer than 50 characters is cut to 50 instead of failing the sign-up');
select is((select char_length(avatar_url) from public.profiles where id = tests.get_supabase_uid('long')), 500,
  'an avatar URL longer than 500 characters is cut to 500');

select tests.create_supabase_user('blank', null, '{"username": "   "}');
select matches((select username::text from public.profiles where id = tests.get_supabase_uid('blank')), '^user_[0-9a-f]{25}$',
  'a blank username in the metadata counts as none: one is derived from the user id');

select is((select count(*)::int from auth.users u join public.profiles p on p.id = u.id
             where u.raw_app_meta_data ->> 'test_identifier' in ('oauth', 'both', 'spaced', 'long', 'blank')), 5,
  'each of these sign-ups has its profile, with the auth user''s id');

select * from finish();
rollback;
