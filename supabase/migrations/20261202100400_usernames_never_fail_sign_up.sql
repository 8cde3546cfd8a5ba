-- Sign-up never fails because of profile data. A username from the sign-up metadata is
-- lower-cased and trimmed; if it is not a valid name it is made one (each character outside
-- a-z, 0-9 and _ becomes _, cut to 30 characters, padded with _ to 3); if that name is taken,
-- the first of <name cut to 23>_<6 hex digits of the user id>, user_<25 hex digits of the user
-- id>, user_<random> that is free is used. Without a username the name is user_<25 hex digits>
-- as before. public.username_available tells a client beforehand whether a name is free.

-- FUNCTIONS ------------------------------------------------------------------------------------
-- Read with the owner's rights: a profile hidden from the caller by a block still takes its name.
create or replace function rls.username_taken(name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.profiles p
     where p.username operator(extensions.=) name::extensions.citext);
$$;

revoke execute on function rls.username_taken(text) from public;
grant execute on function rls.username_taken(text) to anon, authenticated, service_role;

-- True when a sign-up (or a profile edit) could take this name now: it is valid as stored
-- (lower case) and no profile has it.
create or replace function public.username_available(name text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(lower(btrim(name)) ~ '^[a-z0-9_]{3,30}$', false)
     and not rls.username_taken(lower(btrim(name)));
$$;

revoke execute on function public.username_available(text) from public;
grant execute on function public.username_available(text) to anon, authenticated, service_role;

-- Each candidate is tried with "on conflict do nothing", so two sign-ups racing for one name
-- both succeed (the second gets the next candidate) instead of one failing on the unique key.
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  wanted text := lower(nullif(btrim(new.raw_user_meta_data ->> 'username'), ''));
  id_hex text := replace(new.id::text, '-', '');
  display text := nullif(left(btrim(coalesce(new.raw_user_meta_data ->> 'display_name', new.raw_user_meta_data ->> 'full_name')), 50), '');
  avatar text := nullif(left(new.raw_user_meta_data ->> 'avatar_url', 500), '');
  base text;
  candidates text[];
  candidate text;
begin
  if wanted is not null then
    base := left(regexp_replace(wanted, '[^a-z0-9_]', '_', 'g'), 30);
    if char_length(base) < 3 then
      base := rpad(base, 3, '_');
    end if;
    candidates := array[base, left(base, 23) || '_' || left(id_hex, 6)];
  end if;
  candidates := coalesce(candidates, '{}') || ('user_' || left(id_hex, 25));
  foreach candidate in array candidates loop
    insert into public.profiles (id, username, display_name, avatar_url)
    values (new.id, candidate, display, avatar)
    on conflict do nothing;
    if found then
      return new;
    end if;
  end loop;
  -- Every derived name is taken (someone chose them on purpose): a random one.
  loop
    insert into public.profiles (id, username, display_name, avatar_url)
    values (new.id, 'user_' || left(replace(pg_catalog.gen_random_uuid()::text, '-', ''), 25), display, avatar)
    on conflict do nothing;
    exit when found;
  end loop;
  return new;
end;
$$;
