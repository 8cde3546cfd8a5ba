-- While alice blocks bob, neither sees the other's profile, posts or comments through any read
-- path: plain selects, the feed, search_posts, search_profiles, posts_by_hashtag and embeds (a
-- post's comments, a post's author). Carol, anon and the service role still see both. Only
-- alice sees the block; unblocking restores everything.
begin;
select plan(41);

select tests.create_profile('alice', 'Alice Blocker');
select tests.create_profile('bob', 'Bob Blocked');
select tests.create_profile('carol', 'Carol Bystander');

insert into public.posts (author_id, content) values
  (tests.get_supabase_uid('alice'), 'alice writes about marmalade #jam'),
  (tests.get_supabase_uid('bob'), 'bob writes about marmalade #jam'),
  (tests.get_supabase_uid('carol'), 'carol writes about marmalade #jam');
insert into public.comments (post_id, author_id, content)
select p.id, tests.get_supabase_uid(who), who || ' comments'
  from public.posts p, unnest(array['alice', 'bob']) who
 where p.author_id = tests.get_supabase_uid('carol');
insert into public.follows (follower_id, followee_id) values
  (tests.get_supabase_uid('alice'), tests.get_supabase_uid('bob')),
  (tests.get_supabase_uid('bob'), tests.get_supabase_uid('alice')),
  (tests.get_supabase_uid('alice'), tests.get_supabase_uid('carol')),
  (tests.get_supabase_uid('bob'), tests.get_supabase_uid('carol'));

select tests.authenticate_as('alice');
select lives_ok(format($$insert into public.blocks (blocked_id) values (%L)$$, tests.get_supabase_uid('bob')), 'alice blocks bob');
select throws_ok(format($$insert into public.blocks (blocked_id) values (%L)$$, tests.get_supabase_uid('alice')),
  '23514', null, 'nobody blocks themselves');
select throws_ok(format($$insert into public.blocks (blocker_id, blocked_id) values (%L, %L)$$,
  tests.get_supabase_uid('carol'), tests.get_supabase_uid('bob')), '42501', null, 'alice cannot block in carol''s name');

reset role;
select is((select count(*)::int from public.follows
            where (follower_id, followee_id) in ((tests.get_supabase_uid('alice'), tests.get_supabase_uid('bob')),
                                                 (tests.get_supabase_uid('bob'), tests.get_supabase_uid('alice')))),
  0, 'the follows between them are gone, both ways');
select is((select following_count from public.profiles where username = 'alice'), 1, 'alice''s following count drops to 1 (carol)');
select is((select followers_count from public.profiles where username = 'alice'), 0, 'alice''s follower count drops to 0');

-- Each side, every read path.
create function pg_temp.matrix(viewer text, other text) returns setof text language plpgsql as $$
begin
  perform tests.authenticate_as(viewer);
  return next is((select count(*)::int from public.profiles where username = other), 0,
    viewer || ' does not see ' || other || '''s profile');
  return next is((select count(*)::int from public.posts where author_id = tests.get_supabase_uid(other)), 0,
    viewer || ' does not see ' || other || '''s posts');
  return next is((select count(*)::int from public.comments where author_id = tests.get_supabase_uid(other)), 0,
    viewer || ' does not see ' || other || '''s comments');
  return next is((select count(*)::int from public.feed() f where f.author_id = tests.get_supabase_uid(other)), 0,
    viewer || '''s feed has nothing of ' || other);
  return next is((select count(*)::int from public.feed()), 2, viewer || '''s feed still has their own and carol''s post');
  return next is((select array_agg(s.author_id order by s.id) from public.search_posts('marmalade') s),
    (select array_agg(p.author_id order by p.id) from public.posts p where p.author_id <> tests.get_supabase_uid(other)),
    'search_posts finds ' || viewer || '''s and carol''s posts, not ' || other || '''s');
  return next is((select count(*)::int from public.search_profiles(other)), 0,
    'search_profiles(' || other || ') finds nothing for ' || viewer);
  return next is((select count(*)::int from public.posts_by_hashtag('jam') t where t.author_id = tests.get_supabase_uid(other)), 0,
    'posts_by_hashtag has nothing of ' || other || ' for ' || viewer);
  return next is((select count(*)::int from public.posts_by_hashtag('jam')), 2, 'posts_by_hashtag still lists the other two');
  -- What an embed reads: carol's post's comments, and each visible post's author.
  return next is((select array_agg(c.content) from public.comments c
                   join public.posts p on p.id = c.post_id where p.author_id = tests.get_supabase_uid('carol')),
    array[viewer || ' comments'], 'carol''s post embeds only ' || viewer || '''s comment for ' || viewer);
  return next is((select count(*)::int from public.posts p join public.profiles a on a.id = p.author_id), 2,
    'every post ' || viewer || ' sees embeds its author');
  perform tests.clear_authentication();
end $$;

select pg_temp.matrix('alice', 'bob');
select pg_temp.matrix('bob', 'alice');

select tests.authenticate_as('carol');
select is((select count(*)::int from public.posts), 3, 'carol sees all three posts');
select is((select count(*)::int from public.comments), 2, 'carol sees both comments');
select is((select count(*)::int from public.search_profiles('bob')), 1, 'carol finds bob');

select tests.clear_authentication();
select throws_ok(format($$insert into public.blocks (blocker_id, blocked_id) values (%L, %L)$$,
  tests.get_supabase_uid('carol'), tests.get_supabase_uid('bob')), '42501', null, 'anon cannot block');
select throws_ok($$select * from public.blocks$$, '42501', null, 'anon cannot read blocks');
select is((select count(*)::int from public.posts), 3, 'anon sees all three posts');
select is((select count(*)::int from public.profiles), 3, 'anon sees all three profiles');

select tests.authenticate_as_service_role();
select is((select count(*)::int from public.blocks), 1, 'the service role sees the block');

select tests.authenticate_as('bob');
select is_empty($$select * from public.blocks$$, 'bob cannot see that alice blocks him');
delete from public.blocks;
select tests.authenticate_as('carol');
select is_empty($$select * from public.blocks$$, 'carol sees no block either');

select tests.authenticate_as('alice');
select is((select count(*)::int from public.blocks), 1, 'alice sees her block, and bob''s delete did not remove it');
delete from public.blocks where blocked_id = tests.get_supabase_uid('bob');
select tests.authenticate_as('bob');
select is((select count(*)::int from public.posts where author_id = tests.get_supabase_uid('alice')), 1,
  'after alice unblocks, bob sees her post again');
select is((select count(*)::int from public.profiles where username = 'alice'), 1, 'and her profile');

select * from finish();
rollback;
