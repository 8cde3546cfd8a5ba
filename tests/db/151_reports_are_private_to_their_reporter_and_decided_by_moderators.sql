-- Reports: a user reports one post, comment or profile, once, and reads only their own;
-- moderators and admins (user_role in the JWT, from the access token hook) read all and decide
-- them, which stamps resolved_at/resolved_by and is logged. Anon can do nothing with reports.
begin;
select plan(27);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('mod');
select tests.create_profile('boss');
select tests.give_role('mod', 'moderator');
select tests.give_role('boss', 'admin');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('bob'), 'spam spam');
insert into public.comments (post_id, author_id, content)
select id, tests.get_supabase_uid('bob'), 'more spam' from public.posts;

create function pg_temp.bob_post() returns bigint language sql as $$ select max(id) from public.posts $$;

select tests.authenticate_as('alice');
select lives_ok(format($$insert into public.reports (post_id, reason) values (%s, 'spam')$$, pg_temp.bob_post()), 'alice reports a post');
select lives_ok($$insert into public.reports (comment_id, reason) select max(id), 'spam' from public.comments$$, 'alice reports a comment');
select lives_ok(format($$insert into public.reports (profile_id, reason) values (%L, 'spammer')$$, tests.get_supabase_uid('bob')), 'alice reports a profile');
select throws_ok(format($$insert into public.reports (post_id, reason) values (%s, 'again')$$, pg_temp.bob_post()),
  '23505', null, 'a user reports a target once');
select throws_ok(format($$insert into public.reports (post_id, profile_id, reason) values (%s, %L, 'two')$$,
  pg_temp.bob_post(), tests.get_supabase_uid('bob')), '23514', null, 'a report has exactly one target, not two');
select throws_ok($$insert into public.reports (reason) values ('none')$$, '23514', null, 'and not none');
select throws_ok(format($$insert into public.reports (profile_id, reason) values (%L, '')$$, tests.get_supabase_uid('mod')),
  '23514', null, 'an empty reason is rejected');
select throws_ok(format($$insert into public.reports (profile_id, reason) values (%L, repeat('x', 501))$$, tests.get_supabase_uid('mod')),
  '23514', null, 'a reason over 500 characters is rejected');
select throws_ok($$insert into public.reports (post_id, reason) values (999999999, 'gone')$$, '42501', null,
  'a post that does not exist cannot be reported');
select throws_ok(format($$insert into public.reports (reporter_id, profile_id, reason) values (%L, %L, 'x')$$,
  tests.get_supabase_uid('bob'), tests.get_supabase_uid('mod')), '42501', null, 'alice cannot report in bob''s name');
select results_eq($$select count(*)::int from public.reports$$, array[3], 'alice reads her three reports');
update public.reports set status = 'dismissed';
select results_eq($$select count(*)::int from public.reports where status = 'open'$$, array[3], 'alice cannot decide her own reports');

select tests.authenticate_as('bob');
select is_empty($$select * from public.reports$$, 'bob does not see reports about him');
select tests.clear_authentication();
select throws_ok($$select * from public.reports$$, '42501', null, 'anon cannot read reports');

select tests.authenticate_through_hook('mod');
select results_eq($$select count(*)::int from public.reports$$, array[3], 'a moderator reads every report');
select lives_ok(format($$update public.reports set status = 'resolved' where post_id = %s$$, pg_temp.bob_post()), 'the moderator resolves one');
select results_eq(format($$select status, resolved_by, resolved_at = now() from public.reports where post_id = %s$$, pg_temp.bob_post()),
  format($$values ('resolved', %L::uuid, true)$$, tests.get_supabase_uid('mod')), 'resolving stamps resolved_by and resolved_at');
select throws_ok($$update public.reports set reason = 'edited'$$, '42501', null, 'a moderator changes status only, not the reason');
select throws_ok($$update public.reports set status = 'closed'$$, '23514', null, 'status is open, resolved or dismissed');

select tests.authenticate_through_hook('boss');
select lives_ok($$update public.reports set status = 'dismissed' where profile_id is not null$$, 'an admin dismisses one');
select lives_ok(format($$update public.reports set status = 'open' where post_id = %s$$, pg_temp.bob_post()), 'and reopens another');
select results_eq(format($$select resolved_by, resolved_at from public.reports where post_id = %s$$, pg_temp.bob_post()),
  $$values (null::uuid, null::timestamptz)$$, 'reopening clears resolved_by and resolved_at');
select results_eq($$select action, moderator_id from public.moderation_log order by id$$,
  format($$values ('resolve_report', %L::uuid), ('dismiss_report', %L::uuid), ('reopen_report', %L::uuid)$$,
    tests.get_supabase_uid('mod'), tests.get_supabase_uid('boss'), tests.get_supabase_uid('boss')),
  'each decision is in the moderation log with who made it');

select tests.authenticate_as('alice');
select is_empty($$select * from public.moderation_log$$, 'an ordinary user reads no moderation log');
select tests.authenticate_as_service_role();
select results_eq($$select count(*)::int from public.reports$$, array[3], 'the service role (Studio) reads every report');
select lives_ok($$update public.reports set status = 'resolved' where status = 'open'$$, 'and decides them');
select results_eq($$select count(*)::int from public.moderation_log where moderator_id is null and action = 'resolve_report'$$, array[2],
  'decisions from Studio (the two open reports) are logged without a moderator');

select * from finish();
rollback;
