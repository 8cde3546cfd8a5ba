-- RLS is on for every table in public, and each table has exactly the policies we mean it to have.
begin;
select plan(14);

select tests.rls_enabled('public');

select policies_are('public', 'profiles', array[
  'Profiles are viewable by everyone',
  'Users can update their own profile'
]);
select policies_are('public', 'posts', array[
  'Posts are viewable by everyone',
  'Users can create posts as themselves',
  'Authors can update their own posts',
  'Authors and moderators can delete posts'
]);
select policies_are('public', 'follows', array[
  'Follows are viewable by everyone',
  'Users can follow others as themselves',
  'Users can unfollow whom they follow'
]);
select policies_are('public', 'likes', array[
  'Likes are viewable by everyone',
  'Users can like posts as themselves',
  'Users can remove their own likes'
]);
select policies_are('public', 'comments', array[
  'Comments are viewable by everyone',
  'Users can comment as themselves',
  'Authors can edit their own comments',
  'Authors, the post''s author and moderators can delete comments'
]);
select policies_are('public', 'notifications', array[
  'Users can view their own notifications',
  'Users can mark their own notifications read'
]);
select policies_are('public', 'hashtags', array['Hashtags are viewable by everyone']);
select policies_are('public', 'post_hashtags', array['Post hashtags are viewable by everyone']);

select policies_are('public', 'blocks', array[
  'Users can view whom they block',
  'Users can block others as themselves',
  'Users can unblock whom they block'
]);
select policies_are('public', 'user_roles', array['The auth server reads user roles']);
select policies_are('public', 'reports', array[
  'Users view their own reports and staff view all',
  'Users can report as themselves',
  'Moderators and admins decide reports'
]);
select policies_are('public', 'moderation_log', array['Moderators and admins read the moderation log']);
select policies_are('public', 'rate_limits', array['Rate limits are viewable by everyone']);

select * from finish();
rollback;
