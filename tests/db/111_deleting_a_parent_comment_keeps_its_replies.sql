-- Deleting a comment keeps its replies readable on the post, as top-level comments (parent_id
-- null): the deleted parent itself is gone.
begin;
select plan(3);

select tests.create_profile('alice');
select tests.create_profile('bob');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('alice'), 'a post');
insert into public.comments (post_id, author_id, content) select id, tests.get_supabase_uid('alice'), 'parent' from public.posts;
insert into public.comments (post_id, author_id, parent_id, content, created_at, updated_at)
  select c.post_id, tests.get_supabase_uid('bob'), c.id, 'reply', '2020-01-01', '2020-01-01' from public.comments c;

select tests.authenticate_as('alice');
delete from public.comments where content = 'parent';

select tests.clear_authentication();
select results_eq($$select content, parent_id from public.comments$$, $$values ('reply', null::bigint)$$,
  'the reply remains, now without a parent');
select results_eq($$select comment_count from public.posts$$, array[1], 'the post counts the one remaining comment');
select results_eq($$select updated_at from public.comments$$, array['2020-01-01'::timestamptz], 'losing its parent is not an edit of the reply');

select * from finish();
rollback;
