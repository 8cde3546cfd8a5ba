-- Write rate limits per user and action: at most max_count writes per per_seconds, counted in a
-- fixed window that opens with the first write after the previous one closed. A write beyond the
-- limit fails with SQLSTATE PT429, which PostgREST answers as HTTP 429, naming the action and
-- when to retry. Only writes made as a signed-in user count (the service role, seeds and
-- triggers' own writes are not limited). A refused write is not counted.

-- TABLES ---------------------------------------------------------------------------------------
create table public.rate_limits (
  action text primary key
    constraint rate_limits_action_check check (action in ('post', 'comment', 'like', 'follow', 'report')),
  max_count integer not null constraint rate_limits_max_count_positive check (max_count > 0),
  per_seconds integer not null constraint rate_limits_per_seconds_positive check (per_seconds > 0)
);

comment on table public.rate_limits is 'Per-user write limits: at most max_count of action per per_seconds. Edited by the service role (Studio).';

insert into public.rate_limits (action, max_count, per_seconds) values
  ('post', 30, 3600),
  ('comment', 60, 600),
  ('like', 300, 600),
  ('follow', 100, 3600),
  ('report', 20, 86400);

-- The current window of each user and action. Private: clients neither read nor reset it.
-- No foreign key: a write made with the token of a user deleted meanwhile is still counted
-- (and then refused by the tables' own keys); delete_account removes the user's windows.
create table private.rate_limit_windows (
  user_id uuid not null,
  action text not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (user_id, action)
);

-- PRIVILEGES -----------------------------------------------------------------------------------
-- Everyone may read the limits (a client can show them); only the service role edits them.
revoke all on table public.rate_limits from anon, authenticated;
grant select on table public.rate_limits to anon, authenticated;
grant all on table public.rate_limits to service_role;

-- RLS ------------------------------------------------------------------------------------------
alter table public.rate_limits enable row level security;

create policy "Rate limits are viewable by everyone"
  on public.rate_limits for select
  to anon, authenticated
  using (true);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- One upsert per write: it row-locks the caller's window, so concurrent writes of one user are
-- counted one after the other and none slips past the limit.
create or replace function private.enforce_rate_limit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  act text := tg_argv[0];
  lim public.rate_limits;
  w private.rate_limit_windows;
  retry integer;
begin
  if me is null then
    return new;
  end if;
  select * into lim from public.rate_limits r where r.action = act;
  if not found then
    return new;
  end if;
  insert into private.rate_limit_windows as rw (user_id, action, window_start, hits)
  values (me, act, now(), 1)
  on conflict (user_id, action) do update
     set window_start = case when rw.window_start + make_interval(secs => lim.per_seconds) <= now()
                             then now() else rw.window_start end,
         hits = case when rw.window_start + make_interval(secs => lim.per_seconds) <= now()
                     then 1 else rw.hits + 1 end
  returning rw.* into w;
  if w.hits > lim.max_count then
    retry := greatest(1, ceil(extract(epoch from (w.window_start + make_interval(secs => lim.per_seconds) - now())))::integer);
    raise exception 'Rate limit exceeded for %: at most % per % seconds; retry in % seconds',
        act, lim.max_count, lim.per_seconds, retry
      using errcode = 'PT429',
            detail = format('action=%s limit=%s window=%ss retry_after=%ss', act, lim.max_count, lim.per_seconds, retry),
            hint = format('Retry after %s seconds.', retry);
  end if;
  return new;
end;
$$;

revoke execute on function private.enforce_rate_limit() from public, anon, authenticated;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger enforce_rate_limit
  before insert on public.posts
  for each row execute function private.enforce_rate_limit('post');

create trigger enforce_rate_limit
  before insert on public.comments
  for each row execute function private.enforce_rate_limit('comment');

create trigger enforce_rate_limit
  before insert on public.likes
  for each row execute function private.enforce_rate_limit('like');

create trigger enforce_rate_limit
  before insert on public.follows
  for each row execute function private.enforce_rate_limit('follow');

create trigger enforce_rate_limit
  before insert on public.reports
  for each row execute function private.enforce_rate_limit('report');
