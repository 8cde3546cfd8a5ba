-- private.extract_hashtags and private.extract_mentions, the parsers behind the hashtag and
-- mention triggers: what counts as a #tag or an @name, lower case, each once.
begin;
select plan(12);

select is(private.extract_hashtags('#start, mid #Tag. (#x) then #tag again and #123'), array['123', 'start', 'tag', 'x'],
  'extract_hashtags finds tags at the start, after spaces and punctuation, lower case, each once');
select is(private.extract_hashtags(E'first line\n#second'), array['second'], 'a tag may start a new line');
select is(private.extract_hashtags('a_#no x#no &#39; https://x.example/#frag'), '{}'::text[],
  'a # inside a word, an HTML entity or a URL fragment is not a tag');
select is(private.extract_hashtags('#café #日本語'), array['café', '日本語'], 'tags may be made of any letters, not only ASCII');
select is(private.extract_hashtags('no tags here, only # alone'), '{}'::text[], 'text without tags gives an empty array');
select is(private.extract_hashtags(null), '{}'::text[], 'null content gives an empty array, not null');

select is(private.extract_mentions('@start hi @Bob, (@carol) and @bob again'), array['bob', 'carol', 'start'],
  'extract_mentions finds @names at the start and after punctuation, lower case, each once');
select is(private.extract_mentions('write to me@dave.example or x_@no or @@no'), '{}'::text[],
  'an e-mail address, a name glued to a word and a doubled @ are not mentions');
select is(private.extract_mentions('@ab is too short for a username'), '{}'::text[], 'fewer than 3 characters is not a mention');
select is(cardinality(private.extract_mentions((select string_agg('@user' || lpad(i::text, 3, '0'), ' ') from generate_series(1, 25) i))), 20,
  'at most 20 names are taken from one text');
select is(private.extract_mentions(null), '{}'::text[], 'null content gives no mentions');

select is(private.extract_mentions('thanks @bob.smith-jones!'), array['bob'], 'a name ends at the first character a username cannot hold');

select * from finish();
rollback;
