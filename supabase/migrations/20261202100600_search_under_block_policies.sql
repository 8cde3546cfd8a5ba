-- Search under the block policies. Once profiles and posts have a row filter, Postgres may use
-- an index for a condition only if that condition cannot leak rows the filter hides
-- (a "leakproof" operator): full-text @@ and trigram <% are not, so search_posts and
-- search_profiles fell back to sequential scans. The matching now runs in the rls schema's
-- helpers, as the table owner (no row filter, so the GIN indexes serve it), with blocked users
-- left out explicitly; the public functions read the matches by id (leakproof) under RLS.
-- Each helper call is wrapped in a scalar subquery, so it runs once per statement rather than
-- once per row (a SECURITY DEFINER function is never inlined).

-- The ids of the (at most) 1000 most recent posts matching a web-search query, not by anyone
-- hidden from the caller. Planned per call, as search_posts was: a rare word takes the
-- full-text index, a common one walks the recency index.
create or replace function rls.matching_post_ids(query text)
returns bigint[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  ids bigint[];
begin
  execute $q$
    select coalesce(array_agg(m.id), '{}')
      from (
        select p.id
          from public.posts p
         where p.fts @@ websearch_to_tsquery('english'::regconfig, $1)
           and p.author_id <> all ((select rls.hidden_user_ids())::uuid[])
         order by p.created_at desc, p.id desc
         limit 1000
      ) m
  $q$ into ids using query;
  return ids;
end;
$$;

-- The ids of the profiles whose username or display name is like the query (trigram word
-- similarity through profiles_name_trgm_idx), not hidden from the caller.
create or replace function rls.matching_profile_ids(query text)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(p.id), '{}')
    from public.profiles p
   where btrim(matching_profile_ids.query) <> ''
     and lower(btrim(matching_profile_ids.query)) operator(extensions.<%) (p.username::text || ' ' || coalesce(p.display_name, ''))
     and p.id <> all ((select rls.hidden_user_ids())::uuid[]);
$$;

revoke execute on function rls.matching_post_ids(text), rls.matching_profile_ids(text) from public;
grant execute on function rls.matching_post_ids(text), rls.matching_profile_ids(text) to anon, authenticated, service_role;

create or replace function public.search_posts(query text)
returns setof public.posts
language plpgsql
stable
set search_path = ''
rows 100
as $$
begin
  return query
    select p.*
      from public.posts p
     where p.id = any ((select rls.matching_post_ids(search_posts.query))::bigint[])
     order by ts_rank(p.fts, websearch_to_tsquery('english'::regconfig, search_posts.query)) desc,
              p.created_at desc, p.id desc;
end;
$$;

create or replace function public.search_profiles(query text)
returns setof public.profiles
language sql
stable
set search_path = ''
rows 20
as $$
  select p.*
    from public.profiles p
   where p.id = any ((select rls.matching_profile_ids(search_profiles.query))::uuid[])
   order by (p.username::text = lower(btrim(search_profiles.query))) desc,
            greatest(extensions.similarity(p.username::text, search_profiles.query),
                     extensions.similarity(coalesce(p.display_name, ''), search_profiles.query)) desc,
            extensions.word_similarity(search_profiles.query, p.username::text || ' ' || coalesce(p.display_name, '')) desc,
            p.username;
$$;
