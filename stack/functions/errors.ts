// The relay's own answers, worded as Supabase's local Edge Runtime words them
// (supabase/cli internal/functions/serve/templates/main.ts).

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export const RELAY = {
  notFound: () => new Response('Function not found', { status: 404, headers: { 'content-type': 'text/plain' } }),
  unauthorized: (msg: string) => json({ msg }, 401),
  bootError: () => json({ code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' }, 503),
  workerError: () => json({ code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' }, 500),
  // a request body over the functions cap
  tooLarge: (limit: number) => json({ code: 'REQUEST_TOO_LARGE', message: `Request body exceeds the limit of ${limit} bytes` }, 413),
  workerLimit: () => json({ code: 'WORKER_LIMIT', message: 'Worker failed to respond due to a resource limit (please check logs)' }, 546),
};
