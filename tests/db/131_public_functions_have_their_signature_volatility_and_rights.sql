-- Every function in public has the signature, return type, language and volatility clients rely
-- on, runs with the caller's rights unless it must not (only delete_account is SECURITY DEFINER),
-- and pins search_path to '' so no object a caller creates can stand in for one it names.
-- What each one returns is specified by its behaviour files (115, 116, 118-123).
begin;
select plan(61);

-- public.feed(integer, timestamp with time zone, bigint): the caller's home feed; STABLE so PostgREST runs it read-only (GET), as the caller under RLS.
select has_function('public', 'feed', array['integer', 'timestamp with time zone', 'bigint'], 'public.feed(integer, timestamp with time zone, bigint) exists');
select function_returns('public', 'feed', array['integer', 'timestamp with time zone', 'bigint'], 'setof posts', 'feed returns setof posts');
select function_lang_is('public', 'feed', array['integer', 'timestamp with time zone', 'bigint'], 'sql', 'feed is written in sql');
select volatility_is('public', 'feed', array['integer', 'timestamp with time zone', 'bigint'], 'stable', 'feed is STABLE');
select isnt_definer('public', 'feed', array['integer', 'timestamp with time zone', 'bigint'], 'feed runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.feed(integer, timestamp with time zone, bigint)'), array['search_path=""'], 'feed pins search_path to ''''');

-- public.liked_by_me(posts): a computed column of posts, read as the caller.
select has_function('public', 'liked_by_me', array['posts'], 'public.liked_by_me(posts) exists');
select function_returns('public', 'liked_by_me', array['posts'], 'boolean', 'liked_by_me returns boolean');
select function_lang_is('public', 'liked_by_me', array['posts'], 'sql', 'liked_by_me is written in sql');
select volatility_is('public', 'liked_by_me', array['posts'], 'stable', 'liked_by_me is STABLE');
select isnt_definer('public', 'liked_by_me', array['posts'], 'liked_by_me runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.liked_by_me(posts)'), array['search_path=""'], 'liked_by_me pins search_path to ''''');

-- public.mark_notifications_read(bigint[]): writes read_at, so VOLATILE (POST only); RLS limits it to the caller's own notifications.
select has_function('public', 'mark_notifications_read', array['bigint[]'], 'public.mark_notifications_read(bigint[]) exists');
select function_returns('public', 'mark_notifications_read', array['bigint[]'], 'integer', 'mark_notifications_read returns integer');
select function_lang_is('public', 'mark_notifications_read', array['bigint[]'], 'plpgsql', 'mark_notifications_read is written in plpgsql');
select volatility_is('public', 'mark_notifications_read', array['bigint[]'], 'volatile', 'mark_notifications_read is VOLATILE');
select isnt_definer('public', 'mark_notifications_read', array['bigint[]'], 'mark_notifications_read runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.mark_notifications_read(bigint[])'), array['search_path=""'], 'mark_notifications_read pins search_path to ''''');

-- public.posts_by_hashtag(text): a tag's posts, read as the caller.
select has_function('public', 'posts_by_hashtag', array['text'], 'public.posts_by_hashtag(text) exists');
select function_returns('public', 'posts_by_hashtag', array['text'], 'setof posts', 'posts_by_hashtag returns setof posts');
select function_lang_is('public', 'posts_by_hashtag', array['text'], 'sql', 'posts_by_hashtag is written in sql');
select volatility_is('public', 'posts_by_hashtag', array['text'], 'stable', 'posts_by_hashtag is STABLE');
select isnt_definer('public', 'posts_by_hashtag', array['text'], 'posts_by_hashtag runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.posts_by_hashtag(text)'), array['search_path=""'], 'posts_by_hashtag pins search_path to ''''');

-- public.trending_hashtags(integer, integer): RETURNS TABLE (tag, post_count): pgTAP reports it as setof record.
select has_function('public', 'trending_hashtags', array['integer', 'integer'], 'public.trending_hashtags(integer, integer) exists');
select function_returns('public', 'trending_hashtags', array['integer', 'integer'], 'setof record', 'trending_hashtags returns setof record');
select function_lang_is('public', 'trending_hashtags', array['integer', 'integer'], 'sql', 'trending_hashtags is written in sql');
select volatility_is('public', 'trending_hashtags', array['integer', 'integer'], 'stable', 'trending_hashtags is STABLE');
select isnt_definer('public', 'trending_hashtags', array['integer', 'integer'], 'trending_hashtags runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.trending_hashtags(integer, integer)'), array['search_path=""'], 'trending_hashtags pins search_path to ''''');
select is(pg_get_function_result('public.trending_hashtags(integer, integer)'::regprocedure), 'TABLE(tag text, post_count bigint)',
  'trending_hashtags returns the columns tag and post_count');

-- public.search_posts(text): full-text search, read as the caller.
select has_function('public', 'search_posts', array['text'], 'public.search_posts(text) exists');
select function_returns('public', 'search_posts', array['text'], 'setof posts', 'search_posts returns setof posts');
select function_lang_is('public', 'search_posts', array['text'], 'plpgsql', 'search_posts is PL/pgSQL, so each search is planned for its own words');
select volatility_is('public', 'search_posts', array['text'], 'stable', 'search_posts is STABLE');
select isnt_definer('public', 'search_posts', array['text'], 'search_posts runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.search_posts(text)'), array['search_path=""'], 'search_posts pins search_path to ''''');

-- public.search_profiles(text): trigram search, read as the caller.
select has_function('public', 'search_profiles', array['text'], 'public.search_profiles(text) exists');
select function_returns('public', 'search_profiles', array['text'], 'setof profiles', 'search_profiles returns setof profiles');
select function_lang_is('public', 'search_profiles', array['text'], 'sql', 'search_profiles is written in sql');
select volatility_is('public', 'search_profiles', array['text'], 'stable', 'search_profiles is STABLE');
select isnt_definer('public', 'search_profiles', array['text'], 'search_profiles runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.search_profiles(text)'), array['search_path=""'], 'search_profiles pins search_path to ''''');

-- public.delete_account(): deletes the caller's auth user, which the caller's role cannot touch: the one SECURITY DEFINER function clients can call.
select has_function('public', 'delete_account', array[]::name[], 'public.delete_account() exists');
select function_returns('public', 'delete_account', array[]::name[], 'void', 'delete_account returns void');
select function_lang_is('public', 'delete_account', array[]::name[], 'plpgsql', 'delete_account is written in plpgsql');
select volatility_is('public', 'delete_account', array[]::name[], 'volatile', 'delete_account is VOLATILE');
select is_definer('public', 'delete_account', array[]::name[], 'delete_account is SECURITY DEFINER');
select is(tests.function_config('public.delete_account()'), array['search_path=""'], 'delete_account pins search_path to ''''');

-- public.username_available(text): anon and users ask whether a name is free; the lookup past blocks is rls.username_taken's.
select has_function('public', 'username_available', array['text'], 'public.username_available(text) exists');
select function_returns('public', 'username_available', array['text'], 'boolean', 'username_available returns boolean');
select function_lang_is('public', 'username_available', array['text'], 'sql', 'username_available is written in sql');
select volatility_is('public', 'username_available', array['text'], 'stable', 'username_available is STABLE');
select isnt_definer('public', 'username_available', array['text'], 'username_available runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.username_available(text)'), array['search_path=""'], 'username_available pins search_path to ''''');

-- public.custom_access_token_hook(jsonb): run by GoTrue as supabase_auth_admin, which reads user_roles through its own policy.
select has_function('public', 'custom_access_token_hook', array['jsonb'], 'public.custom_access_token_hook(jsonb) exists');
select function_returns('public', 'custom_access_token_hook', array['jsonb'], 'jsonb', 'custom_access_token_hook returns jsonb');
select function_lang_is('public', 'custom_access_token_hook', array['jsonb'], 'plpgsql', 'custom_access_token_hook is written in plpgsql');
select volatility_is('public', 'custom_access_token_hook', array['jsonb'], 'stable', 'custom_access_token_hook is STABLE');
select isnt_definer('public', 'custom_access_token_hook', array['jsonb'], 'custom_access_token_hook runs with the caller''s rights (SECURITY INVOKER)');
select is(tests.function_config('public.custom_access_token_hook(jsonb)'), array['search_path=""'], 'custom_access_token_hook pins search_path to ''''');

select * from finish();
rollback;
