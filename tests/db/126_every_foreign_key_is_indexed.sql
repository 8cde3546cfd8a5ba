-- Every foreign key of the app's tables has an index starting with its columns (so cascades and
-- joins never scan a whole table).
begin;
select plan(1);

select is_empty($$
  select c.conrelid::regclass::text || ' ' || c.conname
    from pg_constraint c
   where c.contype = 'f'
     and c.connamespace = 'public'::regnamespace
     and not exists (
       select 1 from pg_index i
        where i.indrelid = c.conrelid
          and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
          and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
          and i.indpred is null)$$,
  'no foreign key without an index on its columns');

select * from finish();
rollback;
