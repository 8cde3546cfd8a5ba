-- delete_account() deletes nothing while the caller still has files in avatars or post-media
-- (SQLSTATE PT409, HTTP 409, with the way out in the hint): files are removed through the
-- Storage API first, so no account goes with its files left publicly readable. Others' files
-- and other buckets do not hold it up.
begin;
select plan(6);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into storage.buckets (id, name, public) values ('private-notes', 'private-notes', false) on conflict do nothing;
insert into storage.objects (bucket_id, name, owner_id) values
  ('avatars', tests.get_supabase_uid('alice') || '/face.png', tests.get_supabase_uid('alice')),
  ('post-media', tests.get_supabase_uid('alice') || '/2026/clip.mp4', tests.get_supabase_uid('alice')),
  ('avatars', tests.get_supabase_uid('bob') || '/face.png', tests.get_supabase_uid('bob')),
  ('private-notes', tests.get_supabase_uid('alice') || '/note.txt', tests.get_supabase_uid('alice'));

select tests.authenticate_as('alice');
select throws_ok($$select public.delete_account()$$, 'PT409',
  'delete_account: 2 file(s) of this user remain in avatars or post-media', 'with two files left, delete_account refuses');
reset role;
select is((select count(*)::int from auth.users where id = tests.get_supabase_uid('alice')), 1, 'and alice''s account is still there');

delete from storage.objects where bucket_id = 'avatars' and name like tests.get_supabase_uid('alice') || '/%';
select tests.authenticate_as('alice');
select throws_ok($$select public.delete_account()$$, 'PT409', null, 'one file left still holds it up');
reset role;
delete from storage.objects where bucket_id = 'post-media' and name like tests.get_supabase_uid('alice') || '/%';

select tests.authenticate_as('alice');
select lives_ok($$select public.delete_account()$$, 'with her avatars and post media removed, alice deletes her account');
reset role;
select is((select count(*)::int from auth.users where id = tests.get_supabase_uid('alice')), 0, 'her account is gone');
select is((select count(*)::int from storage.objects where bucket_id = 'avatars'), 1, 'bob''s avatar is untouched');

select * from finish();
rollback;
