-- The private schema's functions run only from triggers (or each other): no API role can call
-- one directly, not even the SECURITY DEFINER private.notify_mentions, which would otherwise let
-- anyone write notifications in anyone's name; and a trigger function refuses a direct call.
begin;
select plan(10);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('alice'), 'hello');

select tests.authenticate_as('alice');
select throws_ok(
  format($$select private.notify_mentions(%L, '@bob', (select max(id) from public.posts), null)$$, tests.get_supabase_uid('alice')),
  '42501', 'permission denied for schema private',
  'a signed-in user cannot call private.notify_mentions');
select throws_ok($$select private.extract_hashtags('#x')$$, '42501', 'permission denied for schema private',
  'a signed-in user cannot call private.extract_hashtags');
select throws_ok($$select private.extract_mentions('@bob')$$, '42501', 'permission denied for schema private',
  'a signed-in user cannot call private.extract_mentions');

select throws_ok($$select private.enforce_rate_limit()$$, '42501', 'permission denied for schema private',
  'a signed-in user cannot call private.enforce_rate_limit');
select throws_ok($$select * from private.rate_limit_windows$$, '42501', 'permission denied for schema private',
  'nor read or reset the rate limit windows');

select tests.clear_authentication();
select throws_ok(
  format($$select private.notify_mentions(%L, '@bob', (select max(id) from public.posts), null)$$, tests.get_supabase_uid('alice')),
  '42501', 'permission denied for schema private',
  'anon cannot call private.notify_mentions');

select tests.authenticate_as_service_role();
select throws_ok($$select private.extract_hashtags('#x')$$, '42501', 'permission denied for schema private',
  'service_role cannot call private functions either (the schema is not part of the API)');

reset role;
select is_empty($$select * from public.notifications where type = 'mention'$$, 'no mention notification was written');
select throws_ok($$select private.count_posts()$$, '0A000', 'trigger functions can only be called as triggers',
  'a trigger function such as private.count_posts cannot be called directly, even by the owner');
select throws_ok($$select private.handle_new_user()$$, '0A000', 'trigger functions can only be called as triggers',
  'private.handle_new_user cannot be called directly either');

select * from finish();
rollback;
