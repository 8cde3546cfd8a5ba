-- What the Data API can reach: exactly the app's tables in public, nothing in private.
-- Written for `supabase test db` (plain pgTAP, no helpers from tests/db): `npm test` runs it too.
begin;
select plan(4);

select tables_are(
  'public',
  array['blocks', 'comments', 'follows', 'hashtags', 'likes', 'moderation_log', 'notifications', 'post_hashtags', 'posts', 'profiles', 'rate_limits', 'reports', 'user_roles'],
  'public holds exactly the app''s tables'
);
select schema_privs_are('private', 'anon', array[]::text[], 'anon cannot use the private schema');
select schema_privs_are('private', 'authenticated', array[]::text[], 'authenticated cannot use the private schema');
select schema_privs_are('private', 'service_role', array[]::text[], 'service_role cannot use the private schema');

select * from finish();
rollback;
