-- "Users can upload into their own folder": a signed-in user creates objects only under
-- `<their user id>/` in avatars and post-media; another user's folder, the bucket root, another
-- bucket and anon are refused, as the Storage API's insert runs under these policies.
begin;
select plan(10);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into storage.buckets (id, name, public) values ('private-docs', 'private-docs', false);

select tests.authenticate_as('alice');
select lives_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('avatars', auth.uid() || '/me.png', auth.uid())$$,
  'alice uploads an avatar into her own folder');
select lives_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('post-media', auth.uid() || '/2026/clip.mp4', auth.uid())$$,
  'alice uploads post media into a subfolder of her own folder');
select throws_ok(
  format($$insert into storage.objects (bucket_id, name, owner_id) values ('avatars', %L, auth.uid())$$, tests.get_supabase_uid('bob') || '/me.png'),
  '42501', 'new row violates row-level security policy for table "objects"',
  'alice cannot upload into bob''s folder');
select throws_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('avatars', 'me.png', auth.uid())$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'alice cannot upload to the bucket root (outside any user folder)');
select throws_ok(
  format($$insert into storage.objects (bucket_id, name, owner_id) values ('post-media', %L, auth.uid())$$, tests.get_supabase_uid('alice') || 'x/clip.mp4'),
  '42501', 'new row violates row-level security policy for table "objects"',
  'a folder that merely starts with alice''s id is not hers');
select throws_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('private-docs', auth.uid() || '/notes.txt', auth.uid())$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'alice cannot upload into a bucket the policy does not name, even into her own folder');

select tests.clear_authentication();
select throws_ok(
  format($$insert into storage.objects (bucket_id, name) values ('avatars', %L)$$, tests.get_supabase_uid('alice') || '/anon.png'),
  '42501', 'new row violates row-level security policy for table "objects"',
  'anon cannot upload at all');

select tests.authenticate_as_service_role();
select lives_ok(
  format($$insert into storage.objects (bucket_id, name) values ('avatars', %L)$$, tests.get_supabase_uid('bob') || '/by-admin.png'),
  'the service role (bypassing RLS) can upload anywhere, as Supabase''s service key does');

reset role;
select results_eq(
  $$select bucket_id, split_part(name, '/', 2) from storage.objects
     where split_part(name, '/', 1) in (tests.get_supabase_uid('alice')::text, tests.get_supabase_uid('bob')::text)
        or owner_id = tests.get_supabase_uid('alice')::text
     order by 1, 2$$,
  $$values ('avatars', 'by-admin.png'), ('avatars', 'me.png'), ('post-media', '2026')$$,
  'exactly the allowed uploads were stored');
select is((select owner_id from storage.objects where name = tests.get_supabase_uid('alice') || '/me.png'), tests.get_supabase_uid('alice')::text,
  'the stored avatar belongs to alice');

select * from finish();
rollback;
