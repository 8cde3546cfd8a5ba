-- mark_notifications_read(ids) marks the given ones of the caller's, or all of them, and says how many.
begin;
select plan(5);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');
select tests.authenticate_as('alice');
insert into public.posts (content) values ('p1'), ('p2'), ('p3');
select tests.authenticate_as('bob');
insert into public.likes (post_id) select id from public.posts;
insert into public.follows (followee_id) values (tests.get_supabase_uid('carol'));

select tests.authenticate_as('alice');
select is(public.mark_notifications_read((select array_agg(id) from (select id from public.notifications order by id limit 2) s)), 2,
  'two given ids: two marked');
select is(public.mark_notifications_read(), 1, 'no ids: the one left unread is marked');
select is(public.mark_notifications_read(), 0, 'nothing left to mark');

select tests.authenticate_as('bob');
select is(public.mark_notifications_read((select array_agg(id) from public.notifications)), 0, 'bob cannot mark others'' notifications');
reset role;
select results_eq($$select read_at is null from public.notifications where type = 'follow'$$, array[true], 'carol''s notification is still unread');

select * from finish();
rollback;
