-- Realtime: clients subscribe to changes of their notifications and of posts, comments and likes.
-- Notifications carry their old row on update/delete (replica identity full) so Realtime can
-- check RLS on them.

alter table public.notifications replica identity full;

alter publication supabase_realtime add table public.notifications, public.posts, public.comments, public.likes;
