-- supabase_realtime publishes the tables clients subscribe to; notifications carry full old rows.
begin;
select plan(2);

select is(
  (select array_agg(tablename::text order by tablename::text) from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public'),
  array['comments', 'likes', 'notifications', 'posts'], 'notifications, posts, comments and likes are published');
select is((select relreplident::text from pg_class where oid = 'public.notifications'::regclass), 'f',
  'notifications has replica identity full');

select * from finish();
rollback;
