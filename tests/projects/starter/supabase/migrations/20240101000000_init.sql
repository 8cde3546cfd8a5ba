-- As many SaaS starters begin: extension functions called unqualified, relying on postgres's
-- search_path ("$user", public, extensions).
create table public.api_keys (
  id uuid primary key default uuid_generate_v4(),
  secret text not null default encode(gen_random_bytes(24), 'hex'),
  label text not null,
  created_at timestamptz not null default now()
);
alter table public.api_keys enable row level security;
create policy "anyone reads labels" on public.api_keys for select to anon, authenticated using (true);

create function public.new_token() returns text
  language sql volatile
  as $$ select encode(gen_random_bytes(16), 'base64') $$;
