-- private.notify_post_mentions (trigger notify_post_mentions) through private.notify_mentions:
-- an edit that adds a mention notifies the new name only; a post notifies at most 20 names.
begin;
select plan(4);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');

select tests.authenticate_as('carol');
insert into public.posts (content) values ('hi @alice');
update public.posts set content = 'hi @alice and @bob' where author_id = auth.uid();
reset role;
select results_eq(
  $$select p.username::text, count(*)::int from public.notifications n join public.profiles p on p.id = n.recipient_id
     where n.type = 'mention' group by 1 order by 1$$,
  $$values ('alice', 1), ('bob', 1)$$,
  'adding @bob by an edit notifies bob, and alice is not notified a second time');
select results_eq(
  $$select distinct n.actor_id, n.post_id, n.comment_id from public.notifications n where n.type = 'mention'$$,
  $$select author_id, id, null::bigint from public.posts$$,
  'a mention in a post names the post''s author as actor and the post, with no comment');

select tests.authenticate_as('carol');
update public.posts set media_path = 'x/clip.mp4', media_type = 'video' where author_id = auth.uid();
reset role;
select is((select count(*)::int from public.notifications where type = 'mention'), 2,
  'changing only the media of a post notifies nobody');

select tests.create_profile('fan' || lpad(i::text, 2, '0')) from generate_series(1, 25) i;
select tests.authenticate_as('carol');
insert into public.posts (content) select string_agg('@fan' || lpad(i::text, 2, '0'), ' ') from generate_series(1, 25) i;
reset role;
select is((select count(*)::int from public.notifications n join public.profiles p on p.id = n.recipient_id
            where n.type = 'mention' and p.username::text like 'fan%'), 20,
  'a post mentioning 25 users notifies 20 of them (the cap against mass mentions)');

select * from finish();
rollback;
