-- "Avatars and post media are viewable by everyone": anon and every signed-in user read (list,
-- download, sign URLs for) the objects of the two public app buckets, whoever owns them; the
-- policy opens no other bucket, not even a user's own folder in it.
begin;
select plan(5);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into storage.buckets (id, name, public) values ('private-docs', 'private-docs', false);
insert into storage.objects (bucket_id, name, owner_id) values
  ('avatars', tests.get_supabase_uid('alice') || '/me.png', tests.get_supabase_uid('alice')),
  ('post-media', tests.get_supabase_uid('alice') || '/clip.mp4', tests.get_supabase_uid('alice')),
  ('private-docs', tests.get_supabase_uid('alice') || '/secret.txt', tests.get_supabase_uid('alice'));

select tests.clear_authentication();
select results_eq(
  format($$select bucket_id, name from storage.objects where owner_id = %L order by 1$$, tests.get_supabase_uid('alice')),
  format($$values ('avatars', %L), ('post-media', %L)$$, tests.get_supabase_uid('alice') || '/me.png', tests.get_supabase_uid('alice') || '/clip.mp4'),
  'anon reads the objects in avatars and post-media');

select tests.authenticate_as('bob');
select results_eq(
  format($$select bucket_id from storage.objects where owner_id = %L order by 1$$, tests.get_supabase_uid('alice')),
  array['avatars', 'post-media'],
  'another signed-in user reads alice''s objects in avatars and post-media');
select is_empty($$select * from storage.objects where bucket_id = 'private-docs'$$,
  'another signed-in user sees nothing in a bucket the policy does not name');

select tests.authenticate_as('alice');
select is_empty($$select * from storage.objects where bucket_id = 'private-docs'$$,
  'the owner does not see her own object in another bucket either: the policy covers only the app''s buckets');

select tests.clear_authentication();
select is_empty($$select * from storage.objects where bucket_id = 'private-docs'$$, 'nor does anon');

select * from finish();
rollback;
