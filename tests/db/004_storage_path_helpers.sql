-- storage.foldername(), filename() and extension() split object names as Supabase's do.
begin;
select plan(5);

select is(storage.foldername('6f1b0b7e/avatars/me.png'), array['6f1b0b7e', 'avatars'], 'foldername lists the folders');
select is((storage.foldername('6f1b0b7e/me.png'))[1], '6f1b0b7e', 'the first folder is the owner prefix policies key on');
select is(storage.filename('6f1b0b7e/avatars/me.png'), 'me.png', 'filename is the last segment');
select is(storage.extension('6f1b0b7e/avatars/me.tar.gz'), 'gz', 'extension is what follows the last dot');
select has_column('storage', 'objects', 'owner_id', 'storage.objects has owner_id');

select * from finish();
rollback;
