-- Editing a comment notifies the people it newly @mentions, as editing a post does. Whoever
-- this comment has already notified (a mention, reply or comment notification) is skipped by
-- private.notify_mentions, so an edit never notifies anyone twice.
create or replace function private.notify_comment_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.notify_mentions(new.author_id, new.content, new.post_id, new.id);
  return null;
end;
$$;

revoke execute on function private.notify_comment_mentions() from public, anon, authenticated;

create trigger notify_comment_mentions
  after update of content on public.comments
  for each row
  -- an update that leaves the text as it was mentions nobody new
  when (old.content is distinct from new.content)
  execute function private.notify_comment_mentions();
