-- Every function in the private schema has its signature, return type, language and volatility;
-- the trigger functions that write rows clients may not write are SECURITY DEFINER (they run as
-- the table owner whoever triggers them), and every one pins search_path to '': a SECURITY DEFINER
-- function resolving names through the caller's search_path could be made to run the caller's code.
begin;
select plan(120);

-- private.set_updated_at(): only assigns new.updated_at, so it needs no rights: runs as the editing user.
select has_function('private', 'set_updated_at', array[]::name[], 'private.set_updated_at() exists');
select function_returns('private', 'set_updated_at', array[]::name[], 'trigger', 'set_updated_at returns trigger');
select function_lang_is('private', 'set_updated_at', array[]::name[], 'plpgsql', 'set_updated_at is written in plpgsql');
select volatility_is('private', 'set_updated_at', array[]::name[], 'volatile', 'set_updated_at is VOLATILE');
select isnt_definer('private', 'set_updated_at', array[]::name[], 'set_updated_at runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('private.set_updated_at()'), array['search_path=""'], 'set_updated_at pins search_path to ''''');

-- private.handle_new_user(): GoTrue's role inserting into auth.users has no rights on public.profiles.
select has_function('private', 'handle_new_user', array[]::name[], 'private.handle_new_user() exists');
select function_returns('private', 'handle_new_user', array[]::name[], 'trigger', 'handle_new_user returns trigger');
select function_lang_is('private', 'handle_new_user', array[]::name[], 'plpgsql', 'handle_new_user is written in plpgsql');
select volatility_is('private', 'handle_new_user', array[]::name[], 'volatile', 'handle_new_user is VOLATILE');
select is_definer('private', 'handle_new_user', array[]::name[], 'handle_new_user is SECURITY DEFINER');
select is(tests.function_config('private.handle_new_user()'), array['search_path=""'], 'handle_new_user pins search_path to ''''');

-- private.count_posts(): writes profiles.posts_count, which clients cannot.
select has_function('private', 'count_posts', array[]::name[], 'private.count_posts() exists');
select function_returns('private', 'count_posts', array[]::name[], 'trigger', 'count_posts returns trigger');
select function_lang_is('private', 'count_posts', array[]::name[], 'plpgsql', 'count_posts is written in plpgsql');
select volatility_is('private', 'count_posts', array[]::name[], 'volatile', 'count_posts is VOLATILE');
select is_definer('private', 'count_posts', array[]::name[], 'count_posts is SECURITY DEFINER');
select is(tests.function_config('private.count_posts()'), array['search_path=""'], 'count_posts pins search_path to ''''');

-- private.count_follows(): writes both profiles' follow counters.
select has_function('private', 'count_follows', array[]::name[], 'private.count_follows() exists');
select function_returns('private', 'count_follows', array[]::name[], 'trigger', 'count_follows returns trigger');
select function_lang_is('private', 'count_follows', array[]::name[], 'plpgsql', 'count_follows is written in plpgsql');
select volatility_is('private', 'count_follows', array[]::name[], 'volatile', 'count_follows is VOLATILE');
select is_definer('private', 'count_follows', array[]::name[], 'count_follows is SECURITY DEFINER');
select is(tests.function_config('private.count_follows()'), array['search_path=""'], 'count_follows pins search_path to ''''');

-- private.count_likes(): writes posts.like_count on someone else's post.
select has_function('private', 'count_likes', array[]::name[], 'private.count_likes() exists');
select function_returns('private', 'count_likes', array[]::name[], 'trigger', 'count_likes returns trigger');
select function_lang_is('private', 'count_likes', array[]::name[], 'plpgsql', 'count_likes is written in plpgsql');
select volatility_is('private', 'count_likes', array[]::name[], 'volatile', 'count_likes is VOLATILE');
select is_definer('private', 'count_likes', array[]::name[], 'count_likes is SECURITY DEFINER');
select is(tests.function_config('private.count_likes()'), array['search_path=""'], 'count_likes pins search_path to ''''');

-- private.count_comments(): writes posts.comment_count on someone else's post.
select has_function('private', 'count_comments', array[]::name[], 'private.count_comments() exists');
select function_returns('private', 'count_comments', array[]::name[], 'trigger', 'count_comments returns trigger');
select function_lang_is('private', 'count_comments', array[]::name[], 'plpgsql', 'count_comments is written in plpgsql');
select volatility_is('private', 'count_comments', array[]::name[], 'volatile', 'count_comments is VOLATILE');
select is_definer('private', 'count_comments', array[]::name[], 'count_comments is SECURITY DEFINER');
select is(tests.function_config('private.count_comments()'), array['search_path=""'], 'count_comments pins search_path to ''''');

-- private.extract_hashtags(text): pure text parsing: IMMUTABLE, no rights needed.
select has_function('private', 'extract_hashtags', array['text'], 'private.extract_hashtags(text) exists');
select function_returns('private', 'extract_hashtags', array['text'], 'text[]', 'extract_hashtags returns text[]');
select function_lang_is('private', 'extract_hashtags', array['text'], 'sql', 'extract_hashtags is written in sql');
select volatility_is('private', 'extract_hashtags', array['text'], 'immutable', 'extract_hashtags is IMMUTABLE');
select isnt_definer('private', 'extract_hashtags', array['text'], 'extract_hashtags runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('private.extract_hashtags(text)'), array['search_path=""'], 'extract_hashtags pins search_path to ''''');

-- private.sync_post_hashtags(): writes hashtags and post_hashtags, which clients only read.
select has_function('private', 'sync_post_hashtags', array[]::name[], 'private.sync_post_hashtags() exists');
select function_returns('private', 'sync_post_hashtags', array[]::name[], 'trigger', 'sync_post_hashtags returns trigger');
select function_lang_is('private', 'sync_post_hashtags', array[]::name[], 'plpgsql', 'sync_post_hashtags is written in plpgsql');
select volatility_is('private', 'sync_post_hashtags', array[]::name[], 'volatile', 'sync_post_hashtags is VOLATILE');
select is_definer('private', 'sync_post_hashtags', array[]::name[], 'sync_post_hashtags is SECURITY DEFINER');
select is(tests.function_config('private.sync_post_hashtags()'), array['search_path=""'], 'sync_post_hashtags pins search_path to ''''');

-- private.extract_mentions(text): pure text parsing: IMMUTABLE, no rights needed.
select has_function('private', 'extract_mentions', array['text'], 'private.extract_mentions(text) exists');
select function_returns('private', 'extract_mentions', array['text'], 'text[]', 'extract_mentions returns text[]');
select function_lang_is('private', 'extract_mentions', array['text'], 'sql', 'extract_mentions is written in sql');
select volatility_is('private', 'extract_mentions', array['text'], 'immutable', 'extract_mentions is IMMUTABLE');
select isnt_definer('private', 'extract_mentions', array['text'], 'extract_mentions runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('private.extract_mentions(text)'), array['search_path=""'], 'extract_mentions pins search_path to ''''');

-- private.notify_mentions(uuid, text, bigint, bigint): writes notifications for other users, which clients cannot.
select has_function('private', 'notify_mentions', array['uuid', 'text', 'bigint', 'bigint'], 'private.notify_mentions(uuid, text, bigint, bigint) exists');
select function_returns('private', 'notify_mentions', array['uuid', 'text', 'bigint', 'bigint'], 'void', 'notify_mentions returns void');
select function_lang_is('private', 'notify_mentions', array['uuid', 'text', 'bigint', 'bigint'], 'sql', 'notify_mentions is written in sql');
select volatility_is('private', 'notify_mentions', array['uuid', 'text', 'bigint', 'bigint'], 'volatile', 'notify_mentions is VOLATILE');
select is_definer('private', 'notify_mentions', array['uuid', 'text', 'bigint', 'bigint'], 'notify_mentions is SECURITY DEFINER');
select is(tests.function_config('private.notify_mentions(uuid, text, bigint, bigint)'), array['search_path=""'], 'notify_mentions pins search_path to ''''');

-- private.notify_like(): writes the post author's notification.
select has_function('private', 'notify_like', array[]::name[], 'private.notify_like() exists');
select function_returns('private', 'notify_like', array[]::name[], 'trigger', 'notify_like returns trigger');
select function_lang_is('private', 'notify_like', array[]::name[], 'plpgsql', 'notify_like is written in plpgsql');
select volatility_is('private', 'notify_like', array[]::name[], 'volatile', 'notify_like is VOLATILE');
select is_definer('private', 'notify_like', array[]::name[], 'notify_like is SECURITY DEFINER');
select is(tests.function_config('private.notify_like()'), array['search_path=""'], 'notify_like pins search_path to ''''');

-- private.notify_follow(): writes the followee's notification.
select has_function('private', 'notify_follow', array[]::name[], 'private.notify_follow() exists');
select function_returns('private', 'notify_follow', array[]::name[], 'trigger', 'notify_follow returns trigger');
select function_lang_is('private', 'notify_follow', array[]::name[], 'plpgsql', 'notify_follow is written in plpgsql');
select volatility_is('private', 'notify_follow', array[]::name[], 'volatile', 'notify_follow is VOLATILE');
select is_definer('private', 'notify_follow', array[]::name[], 'notify_follow is SECURITY DEFINER');
select is(tests.function_config('private.notify_follow()'), array['search_path=""'], 'notify_follow pins search_path to ''''');

-- private.notify_comment(): writes the post and parent authors' notifications.
select has_function('private', 'notify_comment', array[]::name[], 'private.notify_comment() exists');
select function_returns('private', 'notify_comment', array[]::name[], 'trigger', 'notify_comment returns trigger');
select function_lang_is('private', 'notify_comment', array[]::name[], 'plpgsql', 'notify_comment is written in plpgsql');
select volatility_is('private', 'notify_comment', array[]::name[], 'volatile', 'notify_comment is VOLATILE');
select is_definer('private', 'notify_comment', array[]::name[], 'notify_comment is SECURITY DEFINER');
select is(tests.function_config('private.notify_comment()'), array['search_path=""'], 'notify_comment pins search_path to ''''');

-- private.notify_post_mentions(): calls private.notify_mentions for a post.
select has_function('private', 'notify_post_mentions', array[]::name[], 'private.notify_post_mentions() exists');
select function_returns('private', 'notify_post_mentions', array[]::name[], 'trigger', 'notify_post_mentions returns trigger');
select function_lang_is('private', 'notify_post_mentions', array[]::name[], 'plpgsql', 'notify_post_mentions is written in plpgsql');
select volatility_is('private', 'notify_post_mentions', array[]::name[], 'volatile', 'notify_post_mentions is VOLATILE');
select is_definer('private', 'notify_post_mentions', array[]::name[], 'notify_post_mentions is SECURITY DEFINER');
select is(tests.function_config('private.notify_post_mentions()'), array['search_path=""'], 'notify_post_mentions pins search_path to ''''');

-- private.unfollow_on_block(): deletes the other person's follow, which the blocker may not.
select has_function('private', 'unfollow_on_block', array[]::name[], 'private.unfollow_on_block() exists');
select function_returns('private', 'unfollow_on_block', array[]::name[], 'trigger', 'unfollow_on_block returns trigger');
select function_lang_is('private', 'unfollow_on_block', array[]::name[], 'plpgsql', 'unfollow_on_block is written in plpgsql');
select volatility_is('private', 'unfollow_on_block', array[]::name[], 'volatile', 'unfollow_on_block is VOLATILE');
select is_definer('private', 'unfollow_on_block', array[]::name[], 'unfollow_on_block is SECURITY DEFINER');
select is(tests.function_config('private.unfollow_on_block()'), array['search_path=""'], 'unfollow_on_block pins search_path to ''''');

-- private.enforce_rate_limit(): writes private.rate_limit_windows, which clients cannot reach.
select has_function('private', 'enforce_rate_limit', array[]::name[], 'private.enforce_rate_limit() exists');
select function_returns('private', 'enforce_rate_limit', array[]::name[], 'trigger', 'enforce_rate_limit returns trigger');
select function_lang_is('private', 'enforce_rate_limit', array[]::name[], 'plpgsql', 'enforce_rate_limit is written in plpgsql');
select volatility_is('private', 'enforce_rate_limit', array[]::name[], 'volatile', 'enforce_rate_limit is VOLATILE');
select is_definer('private', 'enforce_rate_limit', array[]::name[], 'enforce_rate_limit is SECURITY DEFINER');
select is(tests.function_config('private.enforce_rate_limit()'), array['search_path=""'], 'enforce_rate_limit pins search_path to ''''');

-- private.stamp_report_decision(): only assigns resolved_at/resolved_by on the row being updated.
select has_function('private', 'stamp_report_decision', array[]::name[], 'private.stamp_report_decision() exists');
select function_returns('private', 'stamp_report_decision', array[]::name[], 'trigger', 'stamp_report_decision returns trigger');
select function_lang_is('private', 'stamp_report_decision', array[]::name[], 'plpgsql', 'stamp_report_decision is written in plpgsql');
select volatility_is('private', 'stamp_report_decision', array[]::name[], 'volatile', 'stamp_report_decision is VOLATILE');
select isnt_definer('private', 'stamp_report_decision', array[]::name[], 'stamp_report_decision runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('private.stamp_report_decision()'), array['search_path=""'], 'stamp_report_decision pins search_path to ''''');

-- private.log_report_decision(): writes moderation_log, which nobody may write.
select has_function('private', 'log_report_decision', array[]::name[], 'private.log_report_decision() exists');
select function_returns('private', 'log_report_decision', array[]::name[], 'trigger', 'log_report_decision returns trigger');
select function_lang_is('private', 'log_report_decision', array[]::name[], 'plpgsql', 'log_report_decision is written in plpgsql');
select volatility_is('private', 'log_report_decision', array[]::name[], 'volatile', 'log_report_decision is VOLATILE');
select is_definer('private', 'log_report_decision', array[]::name[], 'log_report_decision is SECURITY DEFINER');
select is(tests.function_config('private.log_report_decision()'), array['search_path=""'], 'log_report_decision pins search_path to ''''');

-- private.log_moderator_deletion(): writes moderation_log, which nobody may write.
select has_function('private', 'log_moderator_deletion', array[]::name[], 'private.log_moderator_deletion() exists');
select function_returns('private', 'log_moderator_deletion', array[]::name[], 'trigger', 'log_moderator_deletion returns trigger');
select function_lang_is('private', 'log_moderator_deletion', array[]::name[], 'plpgsql', 'log_moderator_deletion is written in plpgsql');
select volatility_is('private', 'log_moderator_deletion', array[]::name[], 'volatile', 'log_moderator_deletion is VOLATILE');
select is_definer('private', 'log_moderator_deletion', array[]::name[], 'log_moderator_deletion is SECURITY DEFINER');
select is(tests.function_config('private.log_moderator_deletion()'), array['search_path=""'], 'log_moderator_deletion pins search_path to ''''');

-- private.broadcast_notification(): writes realtime.messages, which no client may insert into
-- for a notifications topic.
select has_function('private', 'broadcast_notification', array[]::name[], 'private.broadcast_notification() exists');
select function_returns('private', 'broadcast_notification', array[]::name[], 'trigger', 'broadcast_notification returns trigger');
select function_lang_is('private', 'broadcast_notification', array[]::name[], 'plpgsql', 'broadcast_notification is written in plpgsql');
select volatility_is('private', 'broadcast_notification', array[]::name[], 'volatile', 'broadcast_notification is VOLATILE');
select is_definer('private', 'broadcast_notification', array[]::name[], 'broadcast_notification is SECURITY DEFINER');
select is(tests.function_config('private.broadcast_notification()'), array['search_path=""'], 'broadcast_notification pins search_path to ''''');

select * from finish();
rollback;
