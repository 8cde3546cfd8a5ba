// media: profile pictures and post images/videos, checked by their bytes and stored under the
// caller's own folder in Storage. POST multipart/form-data {kind: 'avatar'|'post', file, post_id?}.
import { requireUser, supabaseUrl, userClient } from '../_shared/clients.ts';
import { handleMedia } from './handler.ts';

Deno.serve((req) => handleMedia(req, { client: userClient, currentUser: requireUser, publicUrlBase: supabaseUrl() }));
