-- Moderators and admins delete any post or comment; each such deletion is in the moderation
-- log (a post's comments going with it are not logged again). An author deleting their own
-- content, or a user without a role, is not moderation: nothing is logged, and a user without
-- a role still cannot delete others' posts.
begin;
select plan(11);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('mod');
select tests.create_profile('boss');
select tests.give_role('mod', 'moderator');
select tests.give_role('boss', 'admin');
insert into public.posts (author_id, content) values
  (tests.get_supabase_uid('bob'), 'bad post'),
  (tests.get_supabase_uid('bob'), 'another bad post'),
  (tests.get_supabase_uid('alice'), 'alice post');
insert into public.comments (post_id, author_id, content)
select p.id, tests.get_supabase_uid('bob'), 'bad comment on ' || p.content from public.posts p;

select tests.authenticate_as('alice');
delete from public.posts where content = 'bad post';
select results_eq($$select count(*)::int from public.posts where content = 'bad post'$$, array[1], 'alice cannot delete bob''s post');
select tests.authenticate_as('mod');
delete from public.posts where content = 'bad post';
select results_eq($$select count(*)::int from public.posts where content = 'bad post'$$, array[1],
  'a moderator whose token lacks user_role (issued before the role) cannot either');

select tests.authenticate_through_hook('mod');
select lives_ok($$delete from public.posts where content = 'bad post'$$, 'a moderator deletes bob''s post');
select is_empty($$select 1 from public.posts where content = 'bad post'$$, 'the post is gone');
select lives_ok($$delete from public.comments where content = 'bad comment on alice post'$$, 'a moderator deletes bob''s comment on alice''s post');
select is_empty($$select 1 from public.comments where content = 'bad comment on alice post'$$, 'the comment is gone');
select tests.authenticate_through_hook('boss');
select lives_ok($$delete from public.posts where content = 'another bad post'$$, 'an admin deletes a post');

select results_eq($$select action, moderator_id, target_user_id, details ->> 'content' from public.moderation_log order by id$$,
  format($$values ('delete_post', %1$L::uuid, %3$L::uuid, 'bad post'), ('delete_comment', %1$L, %3$L, 'bad comment on alice post'),
                  ('delete_post', %2$L, %3$L, 'another bad post')$$,
    tests.get_supabase_uid('mod'), tests.get_supabase_uid('boss'), tests.get_supabase_uid('bob')),
  'each deletion is logged once, with the moderator, the author and the content (cascaded comments are not)');

select tests.authenticate_through_hook('mod');
insert into public.posts (content) values ('mod''s own post');
delete from public.posts where content = 'mod''s own post';
select results_eq($$select count(*)::int from public.moderation_log$$, array[3], 'a moderator deleting their own post is not moderation');

select tests.authenticate_as('alice');
insert into public.comments (post_id, author_id, content) select id, tests.get_supabase_uid('alice'), 'mine' from public.posts where content = 'alice post';
delete from public.comments where content = 'mine';
select is_empty($$select 1 from public.comments where content = 'mine'$$, 'authors still delete their own comments');
select tests.authenticate_as_service_role();
select results_eq($$select count(*)::int from public.moderation_log$$, array[3], 'nor is an author''s own deletion');

select * from finish();
rollback;
