-- search_profiles: trigram similarity on username and display name, best match first.
begin;
select plan(5);

select tests.create_profile('alice', 'Alice Liddell');
select tests.create_profile('alicia', 'Alicia Keys');
select tests.create_profile('malice', null);
select tests.create_profile('bob', 'Robert Smith');
select tests.create_profile('zed', 'Zed Alice Fan');

select tests.clear_authentication();
select results_eq($$select username::text from public.search_profiles('alice') limit 1$$, array['alice'], 'the exact username comes first');
select ok((select array_agg(username::text) from public.search_profiles('alice')) @> array['alice', 'alicia', 'zed'],
  'similar usernames and display names are found');
select ok(not (select array_agg(username::text) from public.search_profiles('alice')) @> array['bob'], 'dissimilar ones are not');
select results_eq($$select username::text from public.search_profiles('smith')$$, array['bob'], 'a word of the display name finds the person');
select is_empty($$select * from public.search_profiles('   ')$$, 'a blank query finds nobody');

select * from finish();
rollback;
