-- Only the recipient reads a notification and sets its read_at.
begin;
select plan(6);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');
select tests.authenticate_as('bob');
insert into public.follows (followee_id) values (tests.get_supabase_uid('alice'));

select tests.authenticate_as('alice');
select results_eq($$select type from public.notifications$$, array['follow'], 'alice reads her notification');
select lives_ok($$update public.notifications set read_at = now()$$, 'alice marks it read');
select results_eq($$select read_at is not null from public.notifications$$, array[true], 'it is read');

select tests.authenticate_as('bob');
select is_empty($$select * from public.notifications$$, 'bob, the actor, does not see it');
update public.notifications set read_at = null;
select tests.authenticate_as('carol');
select is_empty($$select * from public.notifications$$, 'carol does not see it');
reset role;
select results_eq($$select read_at is not null from public.notifications$$, array[true], 'nobody else can mark it unread');

select * from finish();
rollback;
