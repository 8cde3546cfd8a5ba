-- "Users can delete files in their own folder": a signed-in user removes only objects under their
-- own folder in avatars and post-media; another user's objects, objects in other buckets and
-- anon's attempts stay.
begin;
select plan(5);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into storage.buckets (id, name, public) values ('private-docs', 'private-docs', false);
insert into storage.objects (bucket_id, name, owner_id) values
  ('avatars', tests.get_supabase_uid('alice') || '/me.png', tests.get_supabase_uid('alice')),
  ('post-media', tests.get_supabase_uid('alice') || '/clip.mp4', tests.get_supabase_uid('alice')),
  ('private-docs', tests.get_supabase_uid('alice') || '/secret.txt', tests.get_supabase_uid('alice')),
  ('avatars', tests.get_supabase_uid('bob') || '/me.png', tests.get_supabase_uid('bob'));

select tests.clear_authentication();
delete from storage.objects where bucket_id in ('avatars', 'post-media', 'private-docs');
reset role;
select is((select count(*)::int from storage.objects where owner_id in (tests.get_supabase_uid('alice')::text, tests.get_supabase_uid('bob')::text)), 4,
  'anon deletes nothing');

select tests.authenticate_as('alice');
delete from storage.objects where name = tests.get_supabase_uid('bob') || '/me.png';
reset role;
select is((select count(*)::int from storage.objects where name = tests.get_supabase_uid('bob') || '/me.png'), 1,
  'alice cannot delete bob''s avatar');

select tests.authenticate_as('alice');
delete from storage.objects where name like auth.uid() || '/%';
reset role;
select is_empty(
  format($$select * from storage.objects where bucket_id in ('avatars', 'post-media') and owner_id = %L$$, tests.get_supabase_uid('alice')),
  'alice deletes her own objects in avatars and post-media');
select is((select count(*)::int from storage.objects where bucket_id = 'private-docs'), 1,
  'her object in a bucket the policy does not name stays');

select tests.authenticate_as_service_role();
delete from storage.objects where name = tests.get_supabase_uid('bob') || '/me.png';
reset role;
select is((select count(*)::int from storage.objects where name = tests.get_supabase_uid('bob') || '/me.png'), 0,
  'the service role can delete any object');

select * from finish();
rollback;
