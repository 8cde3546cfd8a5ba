-- A post needs 1-2000 characters of text, or media; media needs a type.
begin;
select plan(8);

select tests.create_profile('alice');
select tests.authenticate_as('alice');

select throws_ok($$insert into public.posts (content) values ('')$$, '23514', null, 'an empty post is rejected');
select throws_ok($$insert into public.posts (content) values ('   ')$$, '23514', null, 'a blank post is rejected');
select throws_ok($$insert into public.posts (content) values (repeat('x', 2001))$$, '23514', null, 'a post over 2000 characters is rejected');
select lives_ok($$insert into public.posts (content) values (repeat('x', 2000))$$, 'a post of exactly 2000 characters is accepted');
select lives_ok($$insert into public.posts (media_path, media_type) values ('alice/cat.jpg', 'image')$$, 'a media post needs no text');
select throws_ok($$insert into public.posts (media_path, media_type) values ('alice/cat.gif', 'gif')$$, '23514', null, 'media_type is image or video');
select throws_ok($$insert into public.posts (content, media_path) values ('x', 'alice/cat.jpg')$$, '23514', null, 'media without a type is rejected');
select results_eq($$select count(*)::int from public.posts$$, array[2], 'only the valid posts were written');

select * from finish();
rollback;
