import type { Duplex } from 'node:stream';

// Everything written to one socket during one turn of the event loop leaves in one write call.
// A fan-out costs a syscall per subscriber per message; when several broadcasts are handled in
// the same turn (a burst, or a server catching up), a subscriber's frames are corked and leave
// together, so the cost per message falls as the load rises. Nothing waits past the current turn,
// and a long turn (a large backlog handled at once) lets its writes go every MAX_HOLD_MS.

const MAX_HOLD_MS = 20;
/** How often (in writes) a batch checks how long it has been held. */
const CHECK_EVERY = 256;

let corked = new Set<Duplex>();
let scheduled = false;
let writes = 0;
let openedAt = 0;

/** Holds `socket`'s writes until the end of this turn of the event loop. */
export function batchWrites(socket: Duplex): void {
  if (++writes % CHECK_EVERY === 0 && performance.now() - openedAt > MAX_HOLD_MS) release();
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!scheduled) {
    scheduled = true;
    openedAt = performance.now();
    setImmediate(endOfTurn);
  }
}

function endOfTurn(): void {
  scheduled = false;
  release();
}

function release(): void {
  const sockets = corked;
  corked = new Set();
  writes = 0;
  openedAt = performance.now();
  for (const socket of sockets) socket.uncork();
}
