-- search_posts is planned for the words actually searched. As a SQL function (not inlinable,
-- having its own search_path) its query was planned once for any word: a common word then went
-- through the full-text index and sorted a quarter of all posts (250 ms at 1M posts), where
-- walking the recency index finds its 1000 newest matches in 1 ms. A dynamic query in PL/pgSQL
-- is planned with the value in hand, so a rare word still takes the full-text index.
create or replace function public.search_posts(query text)
returns setof public.posts
language plpgsql
stable
set search_path = ''
rows 100
as $$
begin
  return query execute $q$
    select recent.*
      from (
        select p.*
          from public.posts p
         where p.fts @@ websearch_to_tsquery('english'::regconfig, $1)
         order by p.created_at desc, p.id desc
         limit 1000
      ) recent
     order by ts_rank(recent.fts, websearch_to_tsquery('english'::regconfig, $1)) desc,
              recent.created_at desc, recent.id desc
  $q$ using query;
end;
$$;
