-- Everyone reads posts; a user posts only as themself; only the author edits and deletes.
begin;
select plan(10);

select tests.create_profile('alice');
select tests.create_profile('bob');

select tests.authenticate_as('alice');
select lives_ok($$insert into public.posts (content) values ('first post')$$, 'alice posts (author_id defaults to her)');
select results_eq($$select author_id from public.posts where content = 'first post'$$, array[tests.get_supabase_uid('alice')],
  'the post is hers');
select throws_ok(format($$insert into public.posts (author_id, content) values (%L, 'as bob')$$, tests.get_supabase_uid('bob')),
  '42501', null, 'alice cannot post as bob');

select tests.clear_authentication();
select results_eq($$select count(*)::int from public.posts where content = 'first post'$$, array[1], 'anon reads posts');
select throws_ok($$insert into public.posts (content) values ('anon post')$$, '42501', null, 'anon cannot post');

select tests.authenticate_as('bob');
update public.posts set content = 'edited by bob' where content = 'first post';
delete from public.posts where content = 'first post';
select results_eq($$select count(*)::int from public.posts where content = 'first post'$$, array[1],
  'bob can neither edit nor delete alice''s post');

select tests.authenticate_as('alice');
select lives_ok($$update public.posts set content = 'first post, edited' where content = 'first post'$$, 'alice edits her post');
select results_eq($$select content from public.posts where author_id = auth.uid()$$, array['first post, edited'], 'her edit is saved');
select lives_ok($$delete from public.posts where author_id = auth.uid()$$, 'alice deletes her post');
select results_eq($$select count(*)::int from public.posts where author_id = auth.uid()$$, array[0], 'it is gone');

select * from finish();
rollback;
