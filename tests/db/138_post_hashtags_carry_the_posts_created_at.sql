-- private.sync_post_hashtags (trigger sync_post_hashtags) copies the post's created_at into each
-- post_hashtags row, on insert and on edits, so a tag's posts sort newest first from one index.
begin;
select plan(3);

select tests.create_profile('alice');
insert into public.posts (author_id, content, created_at) values (tests.get_supabase_uid('alice'), 'old #news', '2024-03-01 10:00+00');
select results_eq($$select post_created_at from public.post_hashtags$$, array['2024-03-01 10:00+00'::timestamptz],
  'a new post''s tags carry the post''s created_at');

select tests.authenticate_as('alice');
update public.posts set content = 'old #news, now also #update';
reset role;
select results_eq($$select post_created_at from public.post_hashtags order by 1$$,
  array['2024-03-01 10:00+00'::timestamptz, '2024-03-01 10:00+00'::timestamptz],
  'a tag added by an edit carries the post''s created_at, not the time of the edit');

select tests.authenticate_as('alice');
insert into public.posts (content) values ('fresh #news');
reset role;
select results_eq($$select content from public.posts_by_hashtag('news')$$, array['fresh #news', 'old #news, now also #update'],
  'so posts_by_hashtag lists the tag''s posts by the posts'' own age, newest first');

select * from finish();
rollback;
