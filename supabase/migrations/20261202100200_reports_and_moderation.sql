-- Reports and moderation. A user reports a post, a comment or a profile (once each) and reads
-- their own reports; moderators and admins (the JWT claim user_role, see the access token hook)
-- read every report, decide it (status), and may delete any post or comment. Each decision and
-- each such deletion is written to public.moderation_log by a trigger.

-- TABLES ---------------------------------------------------------------------------------------
-- Targets carry no foreign key: a report outlives the content it is about (a moderator deleting
-- a reported post must not erase the report). The insert policy checks the target exists.
create table public.reports (
  id bigint generated always as identity primary key,
  reporter_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  post_id bigint,
  comment_id bigint,
  profile_id uuid,
  reason text not null
    constraint reports_reason_length check (char_length(reason) between 1 and 500 and btrim(reason) <> ''),
  status text not null default 'open'
    constraint reports_status_check check (status in ('open', 'resolved', 'dismissed')),
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolved_by uuid,
  constraint reports_one_target check (num_nonnulls(post_id, comment_id, profile_id) = 1),
  constraint reports_decided check ((status = 'open') = (resolved_at is null)),
  -- One report per reporter and target (also the reporter_id foreign key's index).
  constraint reports_once_per_target unique nulls not distinct (reporter_id, post_id, comment_id, profile_id)
);

comment on table public.reports is 'Abuse reports: exactly one of post_id, comment_id, profile_id. Moderators set status; resolved_at/by follow.';

create table public.moderation_log (
  id bigint generated always as identity primary key,
  moderator_id uuid,
  action text not null constraint moderation_log_action_check check (
    action in ('delete_post', 'delete_comment', 'resolve_report', 'dismiss_report', 'reopen_report')),
  report_id bigint,
  post_id bigint,
  comment_id bigint,
  -- Whose content it was, and what it said, as deleted.
  target_user_id uuid,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

comment on table public.moderation_log is 'Every moderator deletion and report decision, written by triggers; moderators and admins read it.';

-- INDEXES --------------------------------------------------------------------------------------
-- The moderators' queue: open reports, oldest first.
create index reports_status_created_at_idx on public.reports (status, created_at);
create index moderation_log_created_at_idx on public.moderation_log (created_at desc);

-- PRIVILEGES -----------------------------------------------------------------------------------
revoke all on table public.reports, public.moderation_log from anon, authenticated;
grant select on table public.reports to authenticated;
grant insert (reporter_id, post_id, comment_id, profile_id, reason) on table public.reports to authenticated;
grant update (status) on table public.reports to authenticated;
grant select on table public.moderation_log to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.reports enable row level security;
alter table public.moderation_log enable row level security;

create policy "Users view their own reports and staff view all"
  on public.reports for select
  to authenticated
  using (
    (select auth.uid()) = reporter_id
    or ((select auth.jwt()) ->> 'user_role') in ('moderator', 'admin')
  );

-- The target must exist and be visible to the reporter (posts, comments and profiles RLS).
create policy "Users can report as themselves"
  on public.reports for insert
  to authenticated
  with check (
    (select auth.uid()) = reporter_id
    and (post_id is null or exists (select 1 from public.posts p where p.id = post_id))
    and (comment_id is null or exists (select 1 from public.comments c where c.id = comment_id))
    and (profile_id is null or exists (select 1 from public.profiles pr where pr.id = profile_id))
  );

create policy "Moderators and admins decide reports"
  on public.reports for update
  to authenticated
  using (((select auth.jwt()) ->> 'user_role') in ('moderator', 'admin'))
  with check (((select auth.jwt()) ->> 'user_role') in ('moderator', 'admin'));

create policy "Moderators and admins read the moderation log"
  on public.moderation_log for select
  to authenticated
  using (((select auth.jwt()) ->> 'user_role') in ('moderator', 'admin'));

-- Staff delete anything; one policy per table and action (see comments' delete policy).
drop policy "Authors can delete their own posts" on public.posts;
create policy "Authors and moderators can delete posts"
  on public.posts for delete
  to authenticated
  using (
    (select auth.uid()) = author_id
    or ((select auth.jwt()) ->> 'user_role') in ('moderator', 'admin')
  );

drop policy "Authors and the post's author can delete comments" on public.comments;
create policy "Authors, the post's author and moderators can delete comments"
  on public.comments for delete
  to authenticated
  using (
    (select auth.uid()) = author_id
    or post_id in (select p.id from public.posts p where p.author_id = (select auth.uid()))
    or ((select auth.jwt()) ->> 'user_role') in ('moderator', 'admin')
  );

-- FUNCTIONS ------------------------------------------------------------------------------------
-- A decision stamps who made it and when; reopening clears both.
create or replace function private.stamp_report_decision()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is not distinct from old.status then
    return new;
  end if;
  if new.status = 'open' then
    new.resolved_at := null;
    new.resolved_by := null;
  else
    new.resolved_at := now();
    new.resolved_by := (select auth.uid());
  end if;
  return new;
end;
$$;

create or replace function private.log_report_decision()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.moderation_log (moderator_id, action, report_id, post_id, comment_id, target_user_id, details)
  values (
    (select auth.uid()),
    case new.status when 'resolved' then 'resolve_report' when 'dismissed' then 'dismiss_report' else 'reopen_report' end,
    new.id, new.post_id, new.comment_id, new.profile_id,
    jsonb_build_object('from', old.status, 'to', new.status, 'reason', new.reason));
  return null;
end;
$$;

-- A deletion by a moderator or admin of someone else's post or comment. A comment deleted
-- because its post went (the cascade of a logged post deletion) is not logged again.
create or replace function private.log_moderator_deletion()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if ((select auth.jwt()) ->> 'user_role') is distinct from 'moderator'
     and ((select auth.jwt()) ->> 'user_role') is distinct from 'admin' then
    return null;
  end if;
  if old.author_id = (select auth.uid()) then
    return null;
  end if;
  if tg_table_name = 'posts' then
    insert into public.moderation_log (moderator_id, action, post_id, target_user_id, details)
    values ((select auth.uid()), 'delete_post', old.id, old.author_id,
            jsonb_build_object('content', old.content, 'media_path', old.media_path));
  elsif exists (select 1 from public.posts p where p.id = old.post_id) then
    insert into public.moderation_log (moderator_id, action, post_id, comment_id, target_user_id, details)
    values ((select auth.uid()), 'delete_comment', old.post_id, old.id, old.author_id,
            jsonb_build_object('content', old.content));
  end if;
  return null;
end;
$$;

revoke execute on function private.stamp_report_decision(), private.log_report_decision(),
  private.log_moderator_deletion() from public, anon, authenticated;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger stamp_report_decision
  before update of status on public.reports
  for each row execute function private.stamp_report_decision();

create trigger log_report_decision
  after update of status on public.reports
  for each row
  when (old.status is distinct from new.status)
  execute function private.log_report_decision();

create trigger log_moderator_deletion
  after delete on public.posts
  for each row execute function private.log_moderator_deletion();

create trigger log_moderator_deletion
  after delete on public.comments
  for each row execute function private.log_moderator_deletion();
