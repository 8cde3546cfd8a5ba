-- Comments: readable by all; the author writes, edits and deletes; the post's author may delete
-- any comment on their post; nobody else may.
begin;
select plan(11);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('alice'), 'a post');

select tests.authenticate_as('bob');
select lives_ok($$insert into public.comments (post_id, content) select id, 'bob says hi' from public.posts$$, 'bob comments');
select throws_ok(format($$insert into public.comments (post_id, author_id, content) select id, %L, 'fake' from public.posts$$,
  tests.get_supabase_uid('carol')), '42501', null, 'bob cannot comment as carol');
select throws_ok($$insert into public.comments (post_id, content) select id, '' from public.posts$$, '23514', null, 'an empty comment is rejected');
select throws_ok($$insert into public.comments (post_id, content) select id, repeat('x', 1001) from public.posts$$, '23514', null, 'a comment over 1000 characters is rejected');
select lives_ok($$update public.comments set content = 'bob says hello' where author_id = auth.uid()$$, 'bob edits his comment');
select throws_ok($$update public.comments set post_id = post_id + 1$$, '42501', null, 'a comment cannot move to another post');

select tests.clear_authentication();
select results_eq($$select content from public.comments$$, array['bob says hello'], 'anon reads comments');

select tests.authenticate_as('carol');
update public.comments set content = 'carol was here';
delete from public.comments;
select results_eq($$select content from public.comments$$, array['bob says hello'], 'carol can neither edit nor delete bob''s comment');

select tests.authenticate_as('alice');
update public.comments set content = 'alice was here';
select results_eq($$select content from public.comments$$, array['bob says hello'], 'the post''s author cannot edit bob''s comment');
select lives_ok($$delete from public.comments$$, 'the post''s author deletes bob''s comment');
select results_eq($$select count(*)::int from public.comments$$, array[0], 'it is gone');

select * from finish();
rollback;
