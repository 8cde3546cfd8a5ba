-- storage.objects carries exactly the app's four policies: everyone reads the two public buckets,
-- only signed-in users write, each policy for one command. What they allow is specified by
-- 141-144 (rows as the Storage API writes them, acting as owner, other user and anon).
begin;
select plan(10);

select policies_are('storage', 'objects', array[
  'Avatars and post media are viewable by everyone',
  'Users can upload into their own folder',
  'Users can replace files in their own folder',
  'Users can delete files in their own folder'
], 'storage.objects has exactly the app''s four policies');

select policy_cmd_is('storage', 'objects', 'Avatars and post media are viewable by everyone', 'select',
  '"Avatars and post media are viewable by everyone" is a SELECT policy');
select policy_roles_are('storage', 'objects', 'Avatars and post media are viewable by everyone', array['anon', 'authenticated'],
  '... for anon and authenticated');
select policy_cmd_is('storage', 'objects', 'Users can upload into their own folder', 'insert',
  '"Users can upload into their own folder" is an INSERT policy');
select policy_roles_are('storage', 'objects', 'Users can upload into their own folder', array['authenticated'],
  '... for authenticated only');
select policy_cmd_is('storage', 'objects', 'Users can replace files in their own folder', 'update',
  '"Users can replace files in their own folder" is an UPDATE policy');
select policy_roles_are('storage', 'objects', 'Users can replace files in their own folder', array['authenticated'],
  '... for authenticated only');
select policy_cmd_is('storage', 'objects', 'Users can delete files in their own folder', 'delete',
  '"Users can delete files in their own folder" is a DELETE policy');
select policy_roles_are('storage', 'objects', 'Users can delete files in their own folder', array['authenticated'],
  '... for authenticated only');

select results_eq($$select id, public from storage.buckets where id in ('avatars', 'post-media') order by id$$,
  $$values ('avatars', true), ('post-media', true)$$, 'the avatars and post-media buckets exist and are public');

select * from finish();
rollback;
