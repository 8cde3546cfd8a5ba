-- Extensions the app relies on. Supabase enables pgcrypto and uuid-ossp in every project, but
-- citext, pg_trgm and unaccent only when asked, and `supabase db reset` drops them again: the
-- app asks for them itself, in the schema Supabase keeps extensions in.
create extension if not exists citext with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists unaccent with schema extensions;
