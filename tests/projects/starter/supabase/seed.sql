insert into public.api_keys (label) values ('first'), ('second');
