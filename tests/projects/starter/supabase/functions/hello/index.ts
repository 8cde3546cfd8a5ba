import { z } from 'npm:zod@4.6.7';
import { corsHeaders } from '../_shared/cors.ts';

const Body = z.object({ name: z.string().min(1) });

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders });
  const parsed = Body.safeParse(await req.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: 'name is required' }, { status: 400, headers: corsHeaders });
  return Response.json({ message: `${Deno.env.get('GREETING')}, ${parsed.data.name}` }, { headers: corsHeaders });
});
