-- Bad usernames, websites and overlong text get a constraint error and change nothing.
begin;
select plan(9);

select tests.create_profile('alice');
select tests.create_profile('bob');
select tests.authenticate_as('alice');

select throws_ok($$update public.profiles set username = 'al' where username = 'alice'$$, '23514', null, 'a username shorter than 3 is rejected');
select throws_ok($$update public.profiles set username = repeat('a', 31) where username = 'alice'$$, '23514', null, 'a username longer than 30 is rejected');
select throws_ok($$update public.profiles set username = 'Alice' where username = 'alice'$$, '23514', null, 'an upper-case username is rejected');
select throws_ok($$update public.profiles set username = 'al-ice' where username = 'alice'$$, '23514', null, 'a username with a dash is rejected');
select throws_ok($$update public.profiles set username = 'bob' where username = 'alice'$$, '23505', null, 'another user''s username is rejected');
select throws_ok($$update public.profiles set website = 'javascript:alert(1)' where username = 'alice'$$, '23514', null, 'a non-http website is rejected');
select throws_ok($$update public.profiles set website = 'https://' where username = 'alice'$$, '23514', null, 'a website without a host is rejected');
select throws_ok($$update public.profiles set bio = repeat('x', 501) where username = 'alice'$$, '23514', null, 'a bio over 500 characters is rejected');
select results_eq($$select username::text, bio, website from public.profiles where username = 'alice'$$,
  $$values ('alice'::text, null::text, null::text)$$, 'nothing was written');

select * from finish();
rollback;
