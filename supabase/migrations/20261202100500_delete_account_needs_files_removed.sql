-- Deleting an account must not leave the user's avatars and post media publicly readable.
-- Files live in Storage's backend (S3 on Supabase): deleting storage.objects rows in SQL would
-- leave them there (and Supabase refuses direct deletes from storage tables). So the files are
-- removed through the Storage API first (the client, with the user's own token: the storage
-- policies let a user delete their own folder), and delete_account() refuses, with HTTP 409,
-- while any object of the caller remains in avatars or post-media: no account is deleted with
-- its files left behind.

create or replace function public.delete_account()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  left_behind integer;
begin
  if me is null then
    raise exception 'delete_account needs a signed-in user' using errcode = '42501';
  end if;
  select count(*) into left_behind
    from storage.objects o
   where o.bucket_id in ('avatars', 'post-media')
     and (storage.foldername(o.name))[1] = me::text;
  if left_behind > 0 then
    raise exception 'delete_account: % file(s) of this user remain in avatars or post-media', left_behind
      using errcode = 'PT409',
            hint = 'Remove them through the Storage API first (list the folder named by your user id in each bucket, then remove), and call delete_account again.';
  end if;
  delete from private.rate_limit_windows where user_id = me;
  delete from auth.users where id = me;
end;
$$;
