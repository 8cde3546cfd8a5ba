import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

// bcrypt is pure CPU (tens to hundreds of ms at cost 10 with bcryptjs): run it on worker threads,
// one per core, so sign-ins use every core and never stall the gateway's event loop.
const BCRYPT_PATH = createRequire(import.meta.url).resolve('bcryptjs');

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, op, a, b }) => {
  try {
    const result = op === 'hash' ? bcrypt.hashSync(a, b) : op === 'salt' ? bcrypt.genSaltSync(a) : bcrypt.compareSync(a, b);
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Slot {
  worker: Worker;
  pending: number;
}

type Job = { resolve: (v: unknown) => void; reject: (e: Error) => void };

const SIZE = Math.max(1, Math.min(4, os.cpus().length));
const slots: Slot[] = [];
const jobs = new Map<number, Job>();
let nextId = 0;

function spawn(): Slot {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath: BCRYPT_PATH } });
  const slot: Slot = { worker, pending: 0 };
  worker.unref();
  worker.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
    const job = jobs.get(msg.id);
    jobs.delete(msg.id);
    slot.pending--;
    if (!job) return;
    if (msg.error !== undefined) job.reject(new Error(msg.error));
    else job.resolve(msg.result);
  });
  worker.on('error', (err) => {
    // A crashed worker is replaced; its jobs fail rather than hang.
    slots.splice(slots.indexOf(slot), 1);
    for (const [id, job] of jobs) {
      job.reject(err);
      jobs.delete(id);
    }
  });
  return slot;
}

function run<T>(op: 'hash' | 'compare' | 'salt', a: string | number, b?: string): Promise<T> {
  let slot = slots.find((s) => s.pending === 0);
  if (!slot && slots.length < SIZE) slots.push((slot = spawn()));
  slot ??= slots.reduce((x, y) => (y.pending < x.pending ? y : x));
  const id = nextId++;
  slot.pending++;
  const chosen = slot;
  return new Promise<T>((resolve, reject) => {
    jobs.set(id, { resolve: resolve as (v: unknown) => void, reject });
    chosen.worker.postMessage({ id, op, a, b });
  });
}

export const bcryptPool = {
  genSalt: (cost: number) => run<string>('salt', cost),
  hash: (password: string, salt: string) => run<string>('hash', password, salt),
  compare: (password: string, hash: string) => run<boolean>('compare', password, hash),
  size: SIZE,
};
