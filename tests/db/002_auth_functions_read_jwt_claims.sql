-- auth.uid(), auth.role(), auth.email() and auth.jwt() read the request's claims as on Supabase.
begin;
select plan(9);

select is(auth.uid(), null, 'without claims auth.uid() is null');

set local role authenticated;
select set_config('request.jwt.claims',
  '{"sub":"6f1b0b7e-4a52-4c2e-9c1e-0b7f0a9d2a11","role":"authenticated","email":"ada@example.com","app_metadata":{"provider":"email"}}', true);
select is(auth.uid(), '6f1b0b7e-4a52-4c2e-9c1e-0b7f0a9d2a11'::uuid, 'auth.uid() is the sub claim');
select is(auth.role(), 'authenticated', 'auth.role() is the role claim');
select is(auth.email(), 'ada@example.com', 'auth.email() is the email claim');
select is(auth.jwt() -> 'app_metadata' ->> 'provider', 'email', 'auth.jwt() is the whole claims object');
select is(current_user::text, 'authenticated', 'the request runs as the role of the claims');
reset role;

-- The legacy per-claim settings PostgREST 8 set are still read when the claims object is absent.
select set_config('request.jwt.claims', '', true);
select set_config('request.jwt.claim.sub', '0d0c1d57-4b1f-4d2e-8a5c-3c1e6a2f9b10', true);
select set_config('request.jwt.claim.role', 'anon', true);
select is(auth.uid(), '0d0c1d57-4b1f-4d2e-8a5c-3c1e6a2f9b10'::uuid, 'auth.uid() falls back to request.jwt.claim.sub');
select is(auth.role(), 'anon', 'auth.role() falls back to request.jwt.claim.role');

select set_config('request.jwt.claim.role', '', true);
select tests.authenticate_as_service_role();
select is(auth.role(), 'service_role', 'the service role is seen as such');

select * from finish();
rollback;
