-- Notifications, written only by triggers: likes, comments, replies, follows and @mentions.
-- Nobody is notified of their own actions. Repeating an action (like -> unlike -> like,
-- follow -> unfollow -> follow, editing a post that mentions someone) notifies once: partial
-- unique indexes and "on conflict do nothing".

-- TABLE ----------------------------------------------------------------------------------------
create table public.notifications (
  id bigint generated always as identity primary key,
  recipient_id uuid not null references public.profiles (id) on delete cascade,
  actor_id uuid not null references public.profiles (id) on delete cascade,
  type text not null constraint notifications_type_check check (type in ('like', 'comment', 'reply', 'follow', 'mention')),
  post_id bigint references public.posts (id) on delete cascade,
  comment_id bigint references public.comments (id) on delete cascade,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  constraint notifications_not_self check (recipient_id <> actor_id),
  constraint notifications_subject_check check (
    case type
      when 'follow' then post_id is null and comment_id is null
      when 'like' then post_id is not null and comment_id is null
      when 'mention' then post_id is not null
      else post_id is not null and comment_id is not null
    end
  )
);

comment on table public.notifications is 'What happened to a user, written by triggers only; the recipient reads them and sets read_at.';

-- INDEXES --------------------------------------------------------------------------------------
-- The recipient's list, newest first (and the recipient foreign key).
create index notifications_recipient_id_created_at_id_idx on public.notifications (recipient_id, created_at desc, id desc);
-- The unread badge.
create index notifications_recipient_id_unread_idx on public.notifications (recipient_id) where read_at is null;
-- The other foreign keys.
create index notifications_actor_id_idx on public.notifications (actor_id);
create index notifications_post_id_idx on public.notifications (post_id);
create index notifications_comment_id_idx on public.notifications (comment_id);
-- At most one notification per repeated action.
create unique index notifications_one_per_like_idx on public.notifications (post_id, actor_id) where type = 'like';
create unique index notifications_one_per_follow_idx on public.notifications (recipient_id, actor_id) where type = 'follow';
create unique index notifications_one_per_mention_idx on public.notifications (post_id, recipient_id, comment_id) nulls not distinct where type = 'mention';

-- PRIVILEGES -----------------------------------------------------------------------------------
revoke all on table public.notifications from anon, authenticated;
grant select on table public.notifications to authenticated;
grant update (read_at) on table public.notifications to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.notifications enable row level security;

create policy "Users can view their own notifications"
  on public.notifications for select
  to authenticated
  using ((select auth.uid()) = recipient_id);

create policy "Users can mark their own notifications read"
  on public.notifications for update
  to authenticated
  using ((select auth.uid()) = recipient_id)
  with check ((select auth.uid()) = recipient_id);

-- FUNCTIONS ------------------------------------------------------------------------------------
-- The usernames @mentioned in a text ('@' at the start or after a non-word character; an
-- e-mail address is not a mention), lower case, at most 20 of them.
create or replace function private.extract_mentions(content text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce((array_agg(distinct lower(m[1])))[1:20], '{}')
    from regexp_matches(content, '(?:^|[^[:alnum:]_@])@([A-Za-z0-9_]{3,30})', 'g') as m;
$$;

create or replace function private.notify_mentions(actor uuid, content text, post bigint, comment bigint)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.notifications (recipient_id, actor_id, type, post_id, comment_id)
  select p.id, actor, 'mention', post, comment
    from public.profiles p
   where p.username operator(extensions.=) any (private.extract_mentions(content)::extensions.citext[])
     and p.id <> actor
  on conflict do nothing;
$$;

create or replace function private.notify_like()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.notifications (recipient_id, actor_id, type, post_id)
  select p.author_id, new.user_id, 'like', new.post_id
    from public.posts p
   where p.id = new.post_id
     and p.author_id <> new.user_id
  on conflict do nothing;
  return null;
end;
$$;

create or replace function private.notify_follow()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.notifications (recipient_id, actor_id, type)
  values (new.followee_id, new.follower_id, 'follow')
  on conflict do nothing;
  return null;
end;
$$;

-- A reply notifies the parent comment's author ('reply'); any comment notifies the post's
-- author ('comment') unless they already got the reply notification.
create or replace function private.notify_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  post_author uuid;
  parent_author uuid;
begin
  select p.author_id into post_author from public.posts p where p.id = new.post_id;
  if new.parent_id is not null then
    select c.author_id into parent_author from public.comments c where c.id = new.parent_id;
    if parent_author is not null and parent_author <> new.author_id then
      insert into public.notifications (recipient_id, actor_id, type, post_id, comment_id)
      values (parent_author, new.author_id, 'reply', new.post_id, new.id);
    end if;
  end if;
  if post_author <> new.author_id and post_author is distinct from parent_author then
    insert into public.notifications (recipient_id, actor_id, type, post_id, comment_id)
    values (post_author, new.author_id, 'comment', new.post_id, new.id);
  end if;
  perform private.notify_mentions(new.author_id, new.content, new.post_id, new.id);
  return null;
end;
$$;

create or replace function private.notify_post_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.notify_mentions(new.author_id, new.content, new.id, null);
  return null;
end;
$$;

-- Marks the given notifications of the caller read (all unread ones when ids is null) and
-- returns how many changed.
create or replace function public.mark_notifications_read(ids bigint[] default null)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  changed integer;
begin
  update public.notifications n
     set read_at = now()
   where n.recipient_id = (select auth.uid())
     and n.read_at is null
     and (ids is null or n.id = any (ids));
  get diagnostics changed = row_count;
  return changed;
end;
$$;

revoke execute on function public.mark_notifications_read(bigint[]) from public, anon;
grant execute on function public.mark_notifications_read(bigint[]) to authenticated, service_role;

-- TRIGGERS -------------------------------------------------------------------------------------
create trigger notify_like
  after insert on public.likes
  for each row execute function private.notify_like();

create trigger notify_follow
  after insert on public.follows
  for each row execute function private.notify_follow();

create trigger notify_comment
  after insert on public.comments
  for each row execute function private.notify_comment();

create trigger notify_post_mentions
  after insert or update of content on public.posts
  for each row execute function private.notify_post_mentions();
