begin;
select plan(6);

select is((select count(*) from public.api_keys), 2::bigint, 'the seed ran');
select matches((select secret from public.api_keys limit 1), '^[0-9a-f]{48}$', 'secrets come from gen_random_bytes');

-- pgTAP itself stays callable by every role after the default-privilege revoke.
set local role authenticated;
select results_eq('select label from public.api_keys order by label', $$values ('first'), ('second')$$, 'authenticated reads every label');
select row_eq('select 1, 2', row(1, 2), 'row_eq runs as authenticated');
select throws_ok('select public.secret_count()', '42501', null, 'the revoked default keeps new functions private');
reset role;

set local role service_role;
select is(public.secret_count(), 2::bigint, 'service_role was granted secret_count');
reset role;

select * from finish();
rollback;
