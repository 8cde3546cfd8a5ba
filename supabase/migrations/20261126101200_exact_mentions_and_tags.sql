-- A mention or tag is the whole word or nothing: "@" followed by 31 letters is not a mention
-- of the user named by its first 30, and a 101-character tag is no tag. Also a second barrier
-- on the private schema: its functions are not executable by PUBLIC even if usage were granted.

create or replace function private.extract_mentions(content text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce((array_agg(distinct lower(m[1])))[1:20], '{}')
    from regexp_matches(content, '(?:^|[^[:alnum:]_@])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])', 'g') as m;
$$;

create or replace function private.extract_hashtags(content text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct lower(m[1])), '{}')
    from regexp_matches(content, '(?:^|[^[:alnum:]_&/])#([[:alnum:]_]{1,100})(?![[:alnum:]_])', 'g') as m;
$$;

revoke execute on all functions in schema private from public;
