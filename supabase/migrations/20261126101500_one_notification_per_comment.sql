-- One notification per person per comment: a reply that also @mentions the parent's author,
-- or a comment that @mentions the post's author, notified them twice ('reply' or 'comment',
-- then 'mention'). notify_comment writes the reply/comment notification first; the mention
-- now skips whoever this comment has already notified.
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
     and not exists (
       select 1 from public.notifications n
        where comment is not null and n.comment_id = comment and n.recipient_id = p.id)
  on conflict do nothing;
$$;
