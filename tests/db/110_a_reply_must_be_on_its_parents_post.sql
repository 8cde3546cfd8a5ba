-- A reply names a parent comment on the same post.
begin;
select plan(3);

select tests.create_profile('alice');
insert into public.posts (author_id, content) values (tests.get_supabase_uid('alice'), 'post one'), (tests.get_supabase_uid('alice'), 'post two');
insert into public.comments (post_id, author_id, content)
  select id, author_id, 'top on one' from public.posts where content = 'post one';

select tests.authenticate_as('alice');
select lives_ok($$insert into public.comments (post_id, parent_id, content)
  select p.id, c.id, 'reply on one' from public.posts p, public.comments c where p.content = 'post one' and c.content = 'top on one'$$,
  'a reply on the parent''s post is accepted');
select throws_ok($$insert into public.comments (post_id, parent_id, content)
  select p.id, c.id, 'reply on two' from public.posts p, public.comments c where p.content = 'post two' and c.content = 'top on one'$$,
  '23503', null, 'a reply on another post than its parent''s is rejected');
select results_eq($$select count(*)::int from public.comments$$, array[2], 'nothing of the bad reply was written');

select * from finish();
rollback;
