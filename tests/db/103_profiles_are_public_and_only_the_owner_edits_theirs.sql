-- Everyone reads profiles; only the owner edits their own.
begin;
select plan(7);

select tests.create_profile('alice');
select tests.create_profile('bob');

select tests.clear_authentication();
select results_eq($$select count(*)::int from public.profiles where username in ('alice', 'bob')$$, array[2],
  'anon reads every profile');

select tests.authenticate_as('alice');
select lives_ok($$update public.profiles set bio = 'hi', display_name = 'Alice', website = 'https://alice.example' where username = 'alice'$$,
  'alice edits her own profile');
select results_eq($$select bio from public.profiles where username = 'alice'$$, array['hi'], 'her edit is saved');
select lives_ok($$update public.profiles set username = 'alice_renamed' where username = 'alice'$$,
  'alice may change her username');

select tests.authenticate_as('bob');
update public.profiles set bio = 'hacked' where username = 'alice_renamed';
select results_eq($$select count(*)::int from public.profiles where bio = 'hacked'$$, array[0],
  'bob''s update of alice''s profile changes nothing');
select results_eq($$select count(*)::int from public.profiles where username = 'bob'$$, array[1],
  'bob still reads his own profile');

select tests.clear_authentication();
select throws_ok($$delete from public.profiles$$, '42501', null, 'anon cannot delete profiles');

select * from finish();
rollback;
