-- "Users can replace files in their own folder": a signed-in user updates (overwrites, moves,
-- re-tags) only objects under their own folder in avatars and post-media, and cannot move one out
-- of it; another user's objects and anon's attempts change nothing.
begin;
select plan(7);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into storage.buckets (id, name, public) values ('private-docs', 'private-docs', false);
insert into storage.objects (bucket_id, name, owner_id, version) values
  ('avatars', tests.get_supabase_uid('alice') || '/me.png', tests.get_supabase_uid('alice'), 'v1'),
  ('post-media', tests.get_supabase_uid('bob') || '/clip.mp4', tests.get_supabase_uid('bob'), 'v1');

select tests.authenticate_as('alice');
update storage.objects set version = 'v2' where name = auth.uid() || '/me.png';
reset role;
select is((select version from storage.objects where name = tests.get_supabase_uid('alice') || '/me.png'), 'v2',
  'alice replaces her own avatar');

select tests.authenticate_as('alice');
update storage.objects set name = auth.uid() || '/old/me.png' where name = auth.uid() || '/me.png';
reset role;
select is((select count(*)::int from storage.objects where name = tests.get_supabase_uid('alice') || '/old/me.png'), 1,
  'alice moves her object within her own folder');

select tests.authenticate_as('alice');
select throws_ok(
  format($$update storage.objects set name = %L where name = auth.uid() || '/old/me.png'$$, tests.get_supabase_uid('bob') || '/me.png'),
  '42501', 'new row violates row-level security policy for table "objects"',
  'alice cannot move her object into bob''s folder');
select throws_ok(
  $$update storage.objects set bucket_id = 'private-docs' where name = auth.uid() || '/old/me.png'$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'alice cannot move her object into a bucket the policy does not name');

update storage.objects set version = 'hijacked', name = auth.uid() || '/stolen.mp4'
 where name = tests.get_supabase_uid('bob') || '/clip.mp4';
reset role;
select results_eq(
  format($$select name, version from storage.objects where owner_id = %L$$, tests.get_supabase_uid('bob')),
  format($$values (%L, 'v1')$$, tests.get_supabase_uid('bob') || '/clip.mp4'),
  'alice''s update of bob''s object changes nothing');

select tests.clear_authentication();
update storage.objects set version = 'anon' where bucket_id in ('avatars', 'post-media');
reset role;
select is_empty($$select * from storage.objects where version = 'anon'$$, 'anon''s update changes nothing');

select tests.authenticate_as_service_role();
update storage.objects set version = 'v3' where name = tests.get_supabase_uid('bob') || '/clip.mp4';
reset role;
select is((select version from storage.objects where name = tests.get_supabase_uid('bob') || '/clip.mp4'), 'v3',
  'the service role can replace any object');

select * from finish();
rollback;
