-- Every trigger the app owns exists on its table, runs its function from the private schema,
-- and fires at the intended time on the intended events (an UPDATE trigger only for the columns
-- it cares about). What each one does is specified by the behaviour files named beside it.
begin;
select plan(55);

-- No table carries a trigger beyond these (hashtags and post_hashtags none).
select triggers_are('public', 'profiles', array['set_updated_at'], 'profiles has only the set_updated_at trigger');
select triggers_are('public', 'posts', array['count_posts', 'enforce_rate_limit', 'log_moderator_deletion', 'notify_post_mentions', 'set_updated_at', 'sync_post_hashtags'],
  'posts has exactly count_posts, enforce_rate_limit, log_moderator_deletion, notify_post_mentions, set_updated_at and sync_post_hashtags');
select triggers_are('public', 'follows', array['count_follows', 'enforce_rate_limit', 'notify_follow'], 'follows has exactly count_follows, enforce_rate_limit and notify_follow');
select triggers_are('public', 'likes', array['count_likes', 'enforce_rate_limit', 'notify_like'], 'likes has exactly count_likes, enforce_rate_limit and notify_like');
select triggers_are('public', 'comments', array['count_comments', 'enforce_rate_limit', 'log_moderator_deletion', 'notify_comment', 'notify_comment_mentions', 'set_updated_at'],
  'comments has exactly count_comments, enforce_rate_limit, log_moderator_deletion, notify_comment, notify_comment_mentions and set_updated_at');
select triggers_are('public', 'blocks', array['unfollow_on_block'], 'blocks has only unfollow_on_block');
select triggers_are('public', 'reports', array['enforce_rate_limit', 'log_report_decision', 'stamp_report_decision'],
  'reports has exactly enforce_rate_limit, log_report_decision and stamp_report_decision');
select triggers_are('public', 'user_roles', array[]::name[], 'user_roles has no trigger');
select triggers_are('public', 'moderation_log', array[]::name[], 'moderation_log has no trigger');
select triggers_are('public', 'rate_limits', array[]::name[], 'rate_limits has no trigger');
select triggers_are('public', 'hashtags', array[]::name[], 'hashtags has no trigger');
select triggers_are('public', 'post_hashtags', array[]::name[], 'post_hashtags has no trigger');
select triggers_are('public', 'notifications', array['broadcast_notification'], 'notifications has only the broadcast_notification trigger');

-- auth.users: the sign-up trigger (102_a_profile_is_created_when_a_user_signs_up,
-- 135_sign_up_metadata_fills_the_profile).
select has_trigger('auth', 'users', 'on_auth_user_created', 'auth.users has the on_auth_user_created trigger');
select trigger_is('auth', 'users', 'on_auth_user_created', 'private', 'handle_new_user',
  'on_auth_user_created runs private.handle_new_user');
select is(tests.trigger_events('auth.users', 'on_auth_user_created'), 'AFTER INSERT FOR EACH ROW',
  'on_auth_user_created fires after each new auth user');

-- updated_at (117_updated_at_changes_on_edits_only): only edits of user-written columns, never
-- counter upkeep.
select trigger_is('public', 'profiles', 'set_updated_at', 'private', 'set_updated_at',
  'profiles.set_updated_at runs private.set_updated_at');
select is(tests.trigger_events('public.profiles', 'set_updated_at'),
  'BEFORE UPDATE OF username, display_name, bio, location, website, avatar_url FOR EACH ROW',
  'profiles.set_updated_at fires before an update of the editable columns only (not the counters)');
select trigger_is('public', 'posts', 'set_updated_at', 'private', 'set_updated_at',
  'posts.set_updated_at runs private.set_updated_at');
select is(tests.trigger_events('public.posts', 'set_updated_at'),
  'BEFORE UPDATE OF content, media_path, media_type FOR EACH ROW',
  'posts.set_updated_at fires before an update of content or media only (not the counters)');
select trigger_is('public', 'comments', 'set_updated_at', 'private', 'set_updated_at',
  'comments.set_updated_at runs private.set_updated_at');
select is(tests.trigger_events('public.comments', 'set_updated_at'), 'BEFORE UPDATE OF content FOR EACH ROW',
  'comments.set_updated_at fires before an update of content only');

-- Counters (112_counters_follow_inserts_and_deletes, 128_deleting_users_together_keeps_every_counter_exact).
select trigger_is('public', 'posts', 'count_posts', 'private', 'count_posts', 'posts.count_posts runs private.count_posts');
select is(tests.trigger_events('public.posts', 'count_posts'), 'AFTER INSERT OR DELETE FOR EACH ROW',
  'count_posts fires after each inserted or deleted post');
select trigger_is('public', 'follows', 'count_follows', 'private', 'count_follows', 'follows.count_follows runs private.count_follows');
select is(tests.trigger_events('public.follows', 'count_follows'), 'AFTER INSERT OR DELETE FOR EACH ROW',
  'count_follows fires after each follow and unfollow');
select trigger_is('public', 'likes', 'count_likes', 'private', 'count_likes', 'likes.count_likes runs private.count_likes');
select is(tests.trigger_events('public.likes', 'count_likes'), 'AFTER INSERT OR DELETE FOR EACH ROW',
  'count_likes fires after each like and unlike');
select trigger_is('public', 'comments', 'count_comments', 'private', 'count_comments', 'comments.count_comments runs private.count_comments');
select is(tests.trigger_events('public.comments', 'count_comments'), 'AFTER INSERT OR DELETE FOR EACH ROW',
  'count_comments fires after each inserted or deleted comment');

-- Hashtags (116_hashtags_follow_post_content, 138_post_hashtags_carry_the_posts_created_at).
select trigger_is('public', 'posts', 'sync_post_hashtags', 'private', 'sync_post_hashtags',
  'posts.sync_post_hashtags runs private.sync_post_hashtags');
select is(tests.trigger_events('public.posts', 'sync_post_hashtags'), 'AFTER INSERT OR UPDATE OF content FOR EACH ROW',
  'sync_post_hashtags fires after a new post or an edit of its content');

-- Notifications (113_notifications_are_written_by_triggers_once_and_never_for_oneself,
-- 136_a_reply_to_the_post_authors_comment_notifies_them_once, 137_editing_a_post_notifies_only_newly_mentioned_users).
select trigger_is('public', 'likes', 'notify_like', 'private', 'notify_like', 'likes.notify_like runs private.notify_like');
select is(tests.trigger_events('public.likes', 'notify_like'), 'AFTER INSERT FOR EACH ROW',
  'notify_like fires after each like (an unlike notifies nobody)');
select trigger_is('public', 'follows', 'notify_follow', 'private', 'notify_follow', 'follows.notify_follow runs private.notify_follow');
select is(tests.trigger_events('public.follows', 'notify_follow'), 'AFTER INSERT FOR EACH ROW',
  'notify_follow fires after each follow (an unfollow notifies nobody)');
select trigger_is('public', 'comments', 'notify_comment', 'private', 'notify_comment',
  'comments.notify_comment runs private.notify_comment');
select is(tests.trigger_events('public.comments', 'notify_comment'), 'AFTER INSERT FOR EACH ROW',
  'notify_comment fires after each new comment (not on edits)');
select trigger_is('public', 'comments', 'notify_comment_mentions', 'private', 'notify_comment_mentions',
  'comments.notify_comment_mentions runs private.notify_comment_mentions');
select is(pg_get_triggerdef((select oid from pg_trigger where tgrelid = 'public.comments'::regclass and tgname = 'notify_comment_mentions')),
  'CREATE TRIGGER notify_comment_mentions AFTER UPDATE OF content ON public.comments FOR EACH ROW WHEN ((old.content IS DISTINCT FROM new.content)) EXECUTE FUNCTION private.notify_comment_mentions()',
  'notify_comment_mentions fires after an edit that changes a comment''s content');
select trigger_is('public', 'posts', 'notify_post_mentions', 'private', 'notify_post_mentions',
  'posts.notify_post_mentions runs private.notify_post_mentions');
select is(tests.trigger_events('public.posts', 'notify_post_mentions'), 'AFTER INSERT OR UPDATE OF content FOR EACH ROW',
  'notify_post_mentions fires after a new post or an edit of its content');

-- Blocks (148, 149): creating one removes the follows between the two.
select trigger_is('public', 'blocks', 'unfollow_on_block', 'private', 'unfollow_on_block', 'blocks.unfollow_on_block runs private.unfollow_on_block');
select is(tests.trigger_events('public.blocks', 'unfollow_on_block'), 'AFTER INSERT FOR EACH ROW', 'unfollow_on_block fires after each new block');

-- Rate limits (153_writes_beyond_the_rate_limit_fail_with_429): before each insert, with the action's name.
select is(array(select t.tgrelid::regclass::text || ' ' || encode(t.tgargs, 'escape') || ' ' || tests.trigger_events(t.tgrelid::regclass, t.tgname)
                  from pg_trigger t where t.tgname = 'enforce_rate_limit' and t.tgfoid = 'private.enforce_rate_limit()'::regprocedure order by 1),
  array['comments comment\000 BEFORE INSERT FOR EACH ROW', 'follows follow\000 BEFORE INSERT FOR EACH ROW', 'likes like\000 BEFORE INSERT FOR EACH ROW',
        'posts post\000 BEFORE INSERT FOR EACH ROW', 'reports report\000 BEFORE INSERT FOR EACH ROW'],
  'enforce_rate_limit runs private.enforce_rate_limit before each insert on posts, comments, likes, follows and reports, named for its action');

-- Moderation (151, 152).
select trigger_is('public', 'posts', 'log_moderator_deletion', 'private', 'log_moderator_deletion', 'posts.log_moderator_deletion runs private.log_moderator_deletion');
select is(tests.trigger_events('public.posts', 'log_moderator_deletion'), 'AFTER DELETE FOR EACH ROW', 'posts.log_moderator_deletion fires after each deleted post');
select trigger_is('public', 'comments', 'log_moderator_deletion', 'private', 'log_moderator_deletion', 'comments.log_moderator_deletion runs private.log_moderator_deletion');
select is(tests.trigger_events('public.comments', 'log_moderator_deletion'), 'AFTER DELETE FOR EACH ROW', 'comments.log_moderator_deletion fires after each deleted comment');
select trigger_is('public', 'reports', 'stamp_report_decision', 'private', 'stamp_report_decision', 'reports.stamp_report_decision runs private.stamp_report_decision');
select is(tests.trigger_events('public.reports', 'stamp_report_decision'), 'BEFORE UPDATE OF status FOR EACH ROW', 'stamp_report_decision fires before a status change');
select trigger_is('public', 'reports', 'log_report_decision', 'private', 'log_report_decision', 'reports.log_report_decision runs private.log_report_decision');
select is(pg_get_triggerdef((select oid from pg_trigger where tgrelid = 'public.reports'::regclass and tgname = 'log_report_decision')),
  'CREATE TRIGGER log_report_decision AFTER UPDATE OF status ON public.reports FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION private.log_report_decision()',
  'log_report_decision fires after an update that changes the status');

-- Broadcast to the recipient's private channel (156_a_new_notification_is_broadcast_to_its_recipients_private_topic).
select trigger_is('public', 'notifications', 'broadcast_notification', 'private', 'broadcast_notification',
  'notifications.broadcast_notification runs private.broadcast_notification');
select is(tests.trigger_events('public.notifications', 'broadcast_notification'), 'AFTER INSERT FOR EACH ROW',
  'broadcast_notification fires after each new notification (not when it is marked read)');

select * from finish();
rollback;
