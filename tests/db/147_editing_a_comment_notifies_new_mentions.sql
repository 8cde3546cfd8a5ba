-- trigger notify_comment_mentions: editing a comment notifies the people it newly @mentions,
-- once, and nobody it had already notified.
begin;
select plan(4);

select has_trigger('public', 'comments', 'notify_comment_mentions', 'comments have the notify_comment_mentions trigger');

select tests.create_profile('dora');
select tests.create_profile('emil');
select tests.create_profile('fay');

select tests.authenticate_as('dora');
insert into public.posts (content) values ('dora writes');
select tests.authenticate_as('emil');
insert into public.comments (post_id, content) select id, 'nice, @fay' from public.posts where content = 'dora writes';
update public.comments set content = 'nice, @fay and @dora' where content = 'nice, @fay';
reset role;

select results_eq(
  $$select n.type, p.username::text from public.notifications n join public.profiles p on p.id = n.recipient_id
     where n.actor_id = (select id from public.profiles where username = 'emil') order by 2$$,
  $$values ('comment', 'dora'), ('mention', 'fay')$$,
  'an edit that mentions the post''s author, already notified of the comment, notifies nobody twice');

select tests.create_profile('gus');
select tests.authenticate_as('emil');
update public.comments set content = 'nice, @fay and @dora and @gus' where content = 'nice, @fay and @dora';
update public.comments set content = 'nice, @fay and @dora and @gus!' where content = 'nice, @fay and @dora and @gus';
reset role;

select results_eq(
  $$select n.type from public.notifications n join public.profiles p on p.id = n.recipient_id where p.username = 'gus'$$,
  $$values ('mention')$$,
  'a person newly mentioned by an edit gets one mention, however often the comment is edited again');

select is(
  (select count(*)::int from public.notifications where recipient_id = (select id from public.profiles where username = 'fay')),
  1, 'a person mentioned from the start is not notified again by edits');

select * from finish();
rollback;
