Deno.serve(() => Response.json({ note: 'served without a JWT (verify_jwt = false)' }));
