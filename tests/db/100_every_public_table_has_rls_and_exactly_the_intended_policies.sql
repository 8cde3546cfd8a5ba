-- RLS is on for every table in public, and each table has exactly the policies we mean it to have.
begin;
select plan(9);

select tests.rls_enabled('public');

select policies_are('public', 'profiles', array[
  'Profiles are viewable by everyone',
  'Users can update their own profile'
]);
select policies_are('public', 'posts', array[
  'Posts are viewable by everyone',
  'Users can create posts as themselves',
  'Authors can update their own posts',
  'Authors can delete their own posts'
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
  'Authors and the post''s author can delete comments'
]);
select policies_are('public', 'notifications', array[
  'Users can view their own notifications',
  'Users can mark their own notifications read'
]);
select policies_are('public', 'hashtags', array['Hashtags are viewable by everyone']);
select policies_are('public', 'post_hashtags', array['Post hashtags are viewable by everyone']);

select * from finish();
rollback;
