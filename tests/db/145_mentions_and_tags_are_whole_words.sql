-- A mention or a tag is a whole word: a longer word is not cut down to a shorter name.
begin;
select plan(5);

select is(private.extract_mentions('hi @' || repeat('a', 31)), '{}'::text[], 'an @word longer than a username mentions nobody');
select is(private.extract_mentions('hi @' || repeat('a', 30) || '!'), array[repeat('a', 30)], 'a 30-character username followed by punctuation is a mention');
select is(private.extract_hashtags('#' || repeat('t', 101)), '{}'::text[], 'a tag longer than 100 characters is no tag');
select is(private.extract_hashtags('#' || repeat('t', 100) || ' done'), array[repeat('t', 100)], 'a 100-character tag is a tag');
select ok(not has_function_privilege('public', 'private.extract_mentions(text)', 'execute'), 'PUBLIC cannot execute private functions');

select * from finish();
rollback;
