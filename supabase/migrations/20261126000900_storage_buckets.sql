-- Storage: the avatars and post-media buckets and who may write where.

-- BUCKETS --------------------------------------------------------------------------------------
-- Both are public for reading (public URLs need no token); size and type limits are enforced by
-- Storage on upload. Kept in step with [storage.buckets.*] in supabase/config.toml.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('avatars', 'avatars', true, 2 * 1024 * 1024,
   array['image/png', 'image/jpeg', 'image/webp', 'image/gif']),
  ('post-media', 'post-media', true, 50 * 1024 * 1024,
   array['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'video/mp4', 'video/webm', 'video/quicktime'])
on conflict (id) do update
  set public = excluded.public,
      file_size_limit = excluded.file_size_limit,
      allowed_mime_types = excluded.allowed_mime_types;

-- RLS ------------------------------------------------------------------------------------------
-- Objects live under `<user id>/...`: a user writes only below their own folder. Reading is open
-- to everyone, as the buckets are public (listing and signed URLs go through these too).
create policy "Avatars and post media are viewable by everyone"
  on storage.objects for select
  to anon, authenticated
  using (bucket_id in ('avatars', 'post-media'));

create policy "Users can upload into their own folder"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id in ('avatars', 'post-media')
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "Users can replace files in their own folder"
  on storage.objects for update
  to authenticated
  using (
    bucket_id in ('avatars', 'post-media')
    and (storage.foldername(name))[1] = (select auth.uid())::text
  )
  with check (
    bucket_id in ('avatars', 'post-media')
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "Users can delete files in their own folder"
  on storage.objects for delete
  to authenticated
  using (
    bucket_id in ('avatars', 'post-media')
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );
