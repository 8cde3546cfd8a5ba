-- feed(): the posts of whom the caller follows and their own, newest first by (created_at, id);
-- keyset pages with before_created_at/before_id never skip or repeat a post, ties included.
begin;
select plan(9);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.create_profile('carol');
select tests.create_profile('dave');

-- 30 posts by each, minutes apart, plus two of bob's at 01:00 sharp, when alice also posted (a tie).
insert into public.posts (author_id, content, created_at)
select tests.get_supabase_uid(u), u || ' #' || k, timestamptz '2026-01-01' + make_interval(mins => k * 4 + o)
  from (values ('alice', 0), ('bob', 1), ('carol', 2), ('dave', 3)) as a(u, o), generate_series(1, 30) k;
insert into public.posts (author_id, content, created_at)
values (tests.get_supabase_uid('bob'), 'bob tie a', '2026-01-01 01:00'), (tests.get_supabase_uid('bob'), 'bob tie b', '2026-01-01 01:00');

select tests.authenticate_as('alice');
insert into public.follows (followee_id) values (tests.get_supabase_uid('bob')), (tests.get_supabase_uid('carol'));

select results_eq($$select count(*)::int from public.feed(page_size => 1000)$$, array[92], 'the whole feed: alice''s, bob''s and carol''s posts, not dave''s');
select is_empty($$select * from public.feed(page_size => 1000) f join public.profiles p on p.id = f.author_id where p.username = 'dave'$$,
  'nothing of dave, whom alice does not follow');
select results_eq($$select array_agg(id) from public.feed()$$,
  $$select array_agg(id) from (select id from public.posts where author_id in (select tests.get_supabase_uid(u) from unnest(array['alice','bob','carol']) u)
     order by created_at desc, id desc limit 20) s$$,
  'page 1 is the 20 newest, ordered by (created_at, id) descending');

-- Walk the whole feed in pages of 7 with the keyset cursor.
create temporary table walked (n serial, id bigint);
do $$
declare
  last_created timestamptz;
  last_id bigint;
  got int;
begin
  loop
    with page as (select * from public.feed(7, last_created, last_id))
    insert into walked (id) select id from page order by created_at desc, id desc;
    get diagnostics got = row_count;
    exit when got = 0;
    select p.created_at, p.id into last_created, last_id
      from walked w join public.posts p on p.id = w.id order by w.n desc limit 1;
  end loop;
end $$;
select results_eq($$select count(*)::int, count(distinct id)::int from walked$$, $$values (92, 92)$$,
  'keyset pages cover all 92 posts exactly once');
select results_eq($$select array_agg(id order by n) from walked$$, $$select array_agg(id) from public.feed(page_size => 1000)$$,
  'in the feed''s order');
select results_eq(
  $$select content from public.feed(2, '2026-01-01 01:00', (select max(id) from public.posts where content like 'bob tie%'))$$,
  $$values ('bob tie a'), ('alice #15')$$, 'a cursor on a tie continues with the other posts of the same instant, by id');
select results_eq($$select count(*)::int from public.feed(100, '2026-01-01 00:09')$$, array[4],
  'before_created_at alone means strictly older');

select tests.authenticate_as('dave');
select results_eq($$select count(*)::int from public.feed(page_size => 1000)$$, array[30], 'someone who follows nobody sees their own posts');

select tests.clear_authentication();
select throws_ok($$select * from public.feed()$$, '42501', null, 'anon has no feed');

select * from finish();
rollback;
