// Runs one edge function inside this Deno process, as Supabase's Edge Runtime runs a user
// worker: the function's own `Deno.serve(...)` is bound to a free loopback port, which is
// reported to the host on stdout; everything else the function prints goes to the host's log.
// Usage: deno run <permissions> bootstrap.js <absolute path of index.ts>
// (Plain JavaScript: this file is run by Deno, never by Node or the project's tsc.)

const READY_MARKER = '\u0000agora-worker-listening ';
const entry = Deno.args[0];
const encoder = new TextEncoder();
const serve = Deno.serve.bind(Deno);
let serving = false;

// Edge Runtime's global for background work after the response (`EdgeRuntime.waitUntil`).
globalThis.EdgeRuntime = {
  waitUntil(promise) {
    Promise.resolve(promise).catch((err) => console.error('waitUntil task failed:', err));
  },
};

Deno.serve = (...args) => {
  let options = {};
  let handler;
  if (typeof args[0] === 'function') {
    handler = args[0];
    options = args[1] ?? {};
  } else {
    options = args[0] ?? {};
    handler = typeof args[1] === 'function' ? args[1] : options.handler;
  }
  if (typeof handler !== 'function') throw new TypeError('Deno.serve needs a handler function');
  if (serving) throw new Error('Deno.serve was called more than once in this function');
  serving = true;
  return serve(
    {
      ...options,
      hostname: '127.0.0.1',
      port: 0,
      onListen({ port }) {
        Deno.stdout.writeSync(encoder.encode(`${READY_MARKER}${port}\n`));
      },
    },
    (req, info) => {
      // The host's liveness probe: answered only while this event loop is free.
      if (new URL(req.url).pathname === '/_internal/ping') return new Response('pong');
      return handler(req, info);
    },
  );
};

await import(new URL(`file://${entry}`).href);
if (!serving) {
  console.error('The function did not call Deno.serve()');
  Deno.exit(1);
}
