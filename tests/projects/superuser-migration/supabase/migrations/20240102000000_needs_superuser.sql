-- Passes where postgres is a superuser, fails on Supabase (and must fail locally too).
create function public.c_abs(integer) returns integer language c strict as 'libc', 'abs';
