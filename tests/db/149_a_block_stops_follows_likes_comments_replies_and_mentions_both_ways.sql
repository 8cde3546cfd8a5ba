-- While alice blocks bob, neither can follow the other, like or comment on the other's posts,
-- reply to the other's comments, or notify the other by an @mention; what the other did before
-- the block no longer shows in one's notifications. Other people are unaffected.
begin;
select plan(16);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');
insert into public.posts (author_id, content) values
  (tests.get_supabase_uid('alice'), 'alice post'),
  (tests.get_supabase_uid('bob'), 'bob post'),
  (tests.get_supabase_uid('carol'), 'carol post');
insert into public.comments (post_id, author_id, content)
select p.id, tests.get_supabase_uid(who), who || ' comments'
  from public.posts p, unnest(array['alice', 'bob']) who
 where p.author_id = tests.get_supabase_uid('carol');
-- bob liked alice's post before the block: alice has a notification from him.
insert into public.likes (user_id, post_id)
select tests.get_supabase_uid('bob'), id from public.posts where author_id = tests.get_supabase_uid('alice');
insert into public.blocks (blocker_id, blocked_id) values (tests.get_supabase_uid('alice'), tests.get_supabase_uid('bob'));

create function pg_temp.post_of(who text) returns bigint language sql as $$
  select id from public.posts where author_id = tests.get_supabase_uid(who) $$;
create function pg_temp.comment_of(who text) returns bigint language sql as $$
  select id from public.comments where author_id = tests.get_supabase_uid(who) $$;

create function pg_temp.writes(actor text, other text) returns setof text language plpgsql as $$
declare
  -- Read before acting as the actor, to whom the other's rows are hidden.
  other_post bigint := pg_temp.post_of(other);
  other_comment bigint := pg_temp.comment_of(other);
  carol_post bigint := pg_temp.post_of('carol');
begin
  perform tests.authenticate_as(actor);
  return next throws_ok(format($q$insert into public.follows (followee_id) values (%L)$q$, tests.get_supabase_uid(other)),
    '42501', null, actor || ' cannot follow ' || other);
  return next throws_ok(format($q$insert into public.likes (post_id) values (%s)$q$, other_post),
    '42501', null, actor || ' cannot like ' || other || '''s post');
  return next throws_ok(format($q$insert into public.comments (post_id, content) values (%s, 'hi')$q$, other_post),
    '42501', null, actor || ' cannot comment on ' || other || '''s post');
  return next throws_ok(format($q$insert into public.comments (post_id, parent_id, content) values (%s, %s, 'hi')$q$,
      carol_post, other_comment),
    '42501', null, actor || ' cannot reply to ' || other || '''s comment');
  perform tests.clear_authentication();
end $$;

select pg_temp.writes('alice', 'bob');
select pg_temp.writes('bob', 'alice');

-- Mentions across the block notify nobody; carol's mentions of both still notify both.
select tests.authenticate_as('bob');
insert into public.posts (content) values ('hey @alice and @carol');
select tests.authenticate_as('alice');
insert into public.comments (post_id, content) values (pg_temp.post_of('carol'), 'ping @bob');
select tests.authenticate_as('carol');
insert into public.posts (content) values ('hello @alice and @bob');
reset role;
select is((select count(*)::int from public.notifications
            where type = 'mention' and recipient_id = tests.get_supabase_uid('alice') and actor_id = tests.get_supabase_uid('bob')),
  0, 'bob''s mention of alice notifies nobody');
select is((select count(*)::int from public.notifications
            where type = 'mention' and recipient_id = tests.get_supabase_uid('bob') and actor_id = tests.get_supabase_uid('alice')),
  0, 'alice''s mention of bob notifies nobody');
select is((select count(*)::int from public.notifications
            where type = 'mention' and actor_id = tests.get_supabase_uid('carol')),
  2, 'carol''s mention notifies both alice and bob');
select is((select count(*)::int from public.notifications
            where type = 'mention' and recipient_id = tests.get_supabase_uid('carol') and actor_id = tests.get_supabase_uid('bob')),
  1, 'bob''s mention of carol notifies her');

select tests.authenticate_as('alice');
select is((select count(*)::int from public.notifications where actor_id = tests.get_supabase_uid('bob')), 0,
  'alice no longer sees bob''s earlier like notification');
select tests.authenticate_as('carol');
select lives_ok(format($$insert into public.likes (post_id) values (%s)$$, pg_temp.post_of('bob')), 'carol still likes bob''s post');
select lives_ok(format($$insert into public.comments (post_id, parent_id, content) values (%s, %s, 'reply')$$,
  pg_temp.post_of('carol'), pg_temp.comment_of('alice')), 'carol still replies to alice');
select tests.authenticate_as('bob');
select throws_ok(format($$insert into public.likes (post_id) values (%s)$$, 999999999), '23503', null,
  'a like of a post that does not exist is still a foreign key error');

select * from finish();
rollback;
