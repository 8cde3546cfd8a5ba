import type { Duplex } from 'node:stream';

// Everything written to one socket during one turn of the event loop leaves in one write call.
// A fan-out costs a syscall per subscriber per message; when several broadcasts are handled in
// the same turn (a burst, or a server catching up), a subscriber's frames are corked and leave
// together, so the cost per message falls as the load rises. Nothing waits past the current turn.

let corked = new Set<Duplex>();
let scheduled = false;

/** Holds `socket`'s writes until the end of this turn of the event loop. */
export function batchWrites(socket: Duplex): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  const sockets = corked;
  corked = new Set();
  scheduled = false;
  for (const socket of sockets) socket.uncork();
}
