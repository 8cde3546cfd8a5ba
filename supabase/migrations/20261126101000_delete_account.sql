-- Deleting one's own account: the auth user goes, and with it (by cascade) the profile, posts,
-- follows, likes, comments and notifications. Counters of the people involved are adjusted by
-- the same triggers that keep them on ordinary deletes.

create or replace function public.delete_account()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
begin
  if me is null then
    raise exception 'delete_account needs a signed-in user' using errcode = '42501';
  end if;
  delete from auth.users where id = me;
end;
$$;

revoke execute on function public.delete_account() from public, anon;
grant execute on function public.delete_account() to authenticated;
