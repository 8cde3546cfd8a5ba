-- Search: people by trigram similarity of username and display name; posts by full text.

-- INDEXES --------------------------------------------------------------------------------------
-- Username and display name as one text: one index and one word-similarity condition serve both.
create index profiles_name_trgm_idx on public.profiles
  using gin ((username::text || ' ' || coalesce(display_name, '')) extensions.gin_trgm_ops);
create index posts_fts_idx on public.posts using gin (fts);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- Profiles whose username or display name contains something like the query (pg_trgm word
-- similarity over both, through one trigram index), best match first: the exact username,
-- then by whole-name similarity, then by word similarity.
create or replace function public.search_profiles(query text)
returns setof public.profiles
language sql
stable
set search_path = ''
as $$
  select p.*
    from public.profiles p
   where btrim(search_profiles.query) <> ''
     and lower(btrim(search_profiles.query)) operator(extensions.<%) (p.username::text || ' ' || coalesce(p.display_name, ''))
   order by (p.username::text = lower(btrim(search_profiles.query))) desc,
            greatest(extensions.similarity(p.username::text, search_profiles.query),
                     extensions.similarity(coalesce(p.display_name, ''), search_profiles.query)) desc,
            extensions.word_similarity(search_profiles.query, p.username::text || ' ' || coalesce(p.display_name, '')) desc,
            p.username;
$$;

-- Posts matching a web-search style query ("quoted phrase", or, -not), best ranked first.
-- Ranking considers the 1000 most recent matches: a very common word then costs a short walk of
-- the recency index instead of ranking every post that contains it.
create or replace function public.search_posts(query text)
returns setof public.posts
language sql
stable
set search_path = ''
as $$
  select recent.*
    from (
      select p.*
        from public.posts p
       where p.fts @@ websearch_to_tsquery('english'::regconfig, search_posts.query)
       order by p.created_at desc, p.id desc
       limit 1000
    ) recent
   order by ts_rank(recent.fts, websearch_to_tsquery('english'::regconfig, search_posts.query)) desc,
            recent.created_at desc, recent.id desc;
$$;

revoke execute on function public.search_profiles(text), public.search_posts(text) from public;
grant execute on function public.search_profiles(text), public.search_posts(text) to anon, authenticated, service_role;
