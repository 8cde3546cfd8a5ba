-- private.notify_comment (trigger notify_comment): when the parent comment's author is also the
-- post's author, a reply notifies them once, as a reply; replying to oneself notifies only the
-- post's author.
begin;
select plan(3);

select tests.create_profile('alice');
select tests.create_profile('bob');

select tests.authenticate_as('alice');
insert into public.posts (content) values ('alice asks');
insert into public.comments (post_id, content) select id, 'alice adds' from public.posts;
select tests.authenticate_as('bob');
insert into public.comments (post_id, parent_id, content) select post_id, id, 'bob answers alice' from public.comments where content = 'alice adds';
reset role;

select results_eq(
  $$select n.type, p.username::text from public.notifications n join public.profiles p on p.id = n.recipient_id
     join public.comments c on c.id = n.comment_id where c.content = 'bob answers alice'$$,
  $$values ('reply', 'alice')$$,
  'a reply to the post author''s own comment gives the post author one reply notification, not a comment one too');

select tests.authenticate_as('bob');
insert into public.comments (post_id, parent_id, content) select post_id, id, 'bob adds to himself' from public.comments where content = 'bob answers alice';
reset role;
select results_eq(
  $$select n.type, p.username::text from public.notifications n join public.profiles p on p.id = n.recipient_id
     join public.comments c on c.id = n.comment_id where c.content = 'bob adds to himself'$$,
  $$values ('comment', 'alice')$$,
  'replying to one''s own comment notifies only the post''s author');
select is_empty($$select * from public.notifications where recipient_id = tests.get_supabase_uid('bob')$$,
  'bob is never notified of his own replies');

select * from finish();
rollback;
