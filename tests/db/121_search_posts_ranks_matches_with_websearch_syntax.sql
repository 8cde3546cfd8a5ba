-- search_posts: full text over the stored tsvector, websearch syntax, best ranked first.
begin;
select plan(6);

select tests.create_profile('alice');
insert into public.posts (author_id, content) values
  (tests.get_supabase_uid('alice'), 'Postgres is a database. Postgres rocks. Postgres everywhere.'),
  (tests.get_supabase_uid('alice'), 'I had lunch, then read about postgres'),
  (tests.get_supabase_uid('alice'), 'Cats and dogs'),
  (tests.get_supabase_uid('alice'), 'Row level security in postgres databases');

select tests.clear_authentication();
select results_eq($$select content from public.search_posts('postgres') limit 1$$,
  array['Postgres is a database. Postgres rocks. Postgres everywhere.'], 'the post that is most about the query ranks first');
select results_eq($$select count(*)::int from public.search_posts('postgres')$$, array[3], 'every matching post is found, stemmed and case-folded');
select results_eq($$select content from public.search_posts('postgres -lunch databases')$$,
  $$values ('Postgres is a database. Postgres rocks. Postgres everywhere.'), ('Row level security in postgres databases')$$,
  'websearch syntax: -word excludes, words are and-ed, stems match (databases ~ database)');
select results_eq($$select content from public.search_posts('"row level security"')$$,
  array['Row level security in postgres databases'], 'a quoted phrase matches the phrase');
select results_eq($$select content from public.search_posts('cats or lunch') order by content$$,
  $$values ('Cats and dogs'), ('I had lunch, then read about postgres')$$, '"or" widens');
select is_empty($$select * from public.search_posts('')$$, 'an empty query finds nothing');

select * from finish();
rollback;
