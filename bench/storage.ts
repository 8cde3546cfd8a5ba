// npm run bench:storage — image transformations per second beside sharp in this process, and
// resumable (tus) upload throughput beside one plain upload of the same bytes; then upload and
// download throughput (MB/s) of a 10 MB file through /storage/v1 and through the `media` edge
// function, beside a baseline measured in the same run: a bare node:http server on loopback
// that streams the same bytes to a file and back (the HTTP + disk floor). The stack runs in this
// process on a throwaway data dir.
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { log } from '../stack/log.js';
import { startTestStack } from '../tests/support/test-stack.js';
import { processTree } from './support/proc.js';
import { benchResumable, benchTransforms, startMediaClient } from './support/storage-media.js';

const SIZE = 10 * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** 10 MB that sniff as an MP4 (an ftyp box, then filler), acceptable as post media. */
function videoBytes(): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(SIZE);
  buf.set([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32, 0, 0, 0, 0, 0x6d, 0x70, 0x34, 0x32, 0x69, 0x73, 0x6f, 0x6d]);
  for (let i = 64; i < SIZE; i++) buf[i] = (i * 131) & 0xff;
  return buf;
}

async function timed(fn: () => Promise<number>): Promise<number[]> {
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const bytes = await fn();
    if (bytes !== SIZE) throw new Error(`moved ${bytes} bytes, expected ${SIZE}`);
    rates.push(bytes / 1024 / 1024 / ((performance.now() - t) / 1000));
  }
  return rates;
}

/** Resident memory (PSS) of this process's Deno children: the function workers. */
function workerMemoryMb(): { workers: number; pssMb: number } {
  let pss = 0;
  let workers = 0;
  for (const pid of processTree(process.pid)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'deno') continue;
      workers++;
      pss += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return { workers, pssMb: pss / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function ok(res: Response): Promise<Response> {
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}: ${await res.text()}`);
  return res;
}

async function download(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await ok(await fetch(url, { headers }));
  return (await res.arrayBuffer()).byteLength;
}

/** The floor: loopback HTTP into a file and back out, no database, no checks. */
async function baselineServer(dir: string): Promise<{ url: string; close: () => void }> {
  const file = path.join(dir, 'baseline.bin');
  const server = http.createServer(async (req, res) => {
    if (req.method === 'POST') {
      await pipeline(req, createWriteStream(file));
      res.end(JSON.stringify({ size: statSync(file).size }));
    } else {
      res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'video/mp4' });
      await pipeline(createReadStream(file), res);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/file`, close: () => server.close() };
}

// Request lines would bury the tables.
if (!process.env.AGORA_LOG_LEVEL) log.level = 'warn';
const test = await startTestStack();
const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-bench-storage-'));
try {
  const { apiUrl, anonKey } = test.info;
  const signUp = await ok(await fetch(`${apiUrl}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench-${Date.now()}@bench.test`, password: 'bench-password-1' }),
  }));
  const session = (await signUp.json()) as { access_token: string; user: { id: string } };
  const auth = { apikey: anonKey, Authorization: `Bearer ${session.access_token}` };
  const userId = session.user.id;

  // The media parts run first. Once the 10 MB part's baseline server has run in this process,
  // V8 collects in full about every 80 ms for the rest of the run, charged to whatever runs then
  // (--trace-gc: 99 full collections in a run with the resumable part after it, 3 with it first).
  const media = { apiUrl, anonKey, token: session.access_token, userId, dir };
  const client = startMediaClient();
  try {
    await benchTransforms(media, client, ROUNDS);
    // An upload here takes a tenth of a second and this machine's speed swings more than that
    // between rounds: three times the rounds, so the medians hold still.
    await benchResumable(media, client, 3 * ROUNDS);
  } finally {
    client.stop();
  }

  const bytes = videoBytes();

  const baseline = await baselineServer(dir);
  const baseUp = await timed(async () => {
    const res = await ok(await fetch(baseline.url, { method: 'POST', body: bytes }));
    return ((await res.json()) as { size: number }).size;
  });
  const baseDown = await timed(() => download(baseline.url));
  baseline.close();

  let n = 0;
  let lastKey = '';
  const storageUp = await timed(async () => {
    lastKey = `${userId}/bench-${n++}.mp4`;
    await ok(await fetch(`${apiUrl}/storage/v1/object/post-media/${lastKey}`, { method: 'POST', headers: { ...auth, 'content-type': 'video/mp4' }, body: bytes }));
    return bytes.length;
  });
  const storageDown = await timed(() => download(`${apiUrl}/storage/v1/object/post-media/${lastKey}`, auth));
  const publicDown = await timed(() => download(`${apiUrl}/storage/v1/object/public/post-media/${lastKey}`));

  const post = await ok(await fetch(`${apiUrl}/rest/v1/posts`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', Prefer: 'return=representation' },
    body: JSON.stringify({ content: 'bench' }),
  }));
  const postId = ((await post.json()) as Array<{ id: number }>)[0].id;
  const viaMedia = async () => {
    const form = new FormData();
    form.append('kind', 'post');
    form.append('post_id', String(postId));
    form.append('file', new File([bytes], 'bench.mp4', { type: 'video/mp4' }));
    const res = await ok(await fetch(`${apiUrl}/functions/v1/media`, { method: 'POST', headers: auth, body: form }));
    return (await res.json()) as { url: string };
  };
  const warm = performance.now();
  let mediaUrl = (await viaMedia()).url; // starts the worker (and fetches its npm packages once)
  const firstCallMs = performance.now() - warm;
  const mediaUp = await timed(async () => {
    mediaUrl = (await viaMedia()).url;
    return bytes.length;
  });
  const mediaDown = await timed(() => download(mediaUrl));

  const rows: Array<[string, number[], number[]]> = [
    ['upload', baseUp, baseUp],
    ['download', baseDown, baseDown],
    ['upload /storage/v1 (POST object)', storageUp, baseUp],
    ['download /storage/v1 (authenticated)', storageDown, baseDown],
    ['download /storage/v1 (public URL)', publicDown, baseDown],
    ['upload via media function', mediaUp, baseUp],
    ['download media public URL', mediaDown, baseDown],
  ];
  console.log(`\n10 MB file, ${ROUNDS} rounds each, median MB/s (ratio to the bare loopback HTTP + disk baseline)\n`);
  console.log(`${'operation'.padEnd(40)} ${'MB/s'.padStart(8)} ${'ratio'.padStart(7)}`);
  rows.forEach(([name, rates, base], i) => {
    const label = i < 2 ? `baseline ${name}` : name;
    console.log(`${label.padEnd(40)} ${median(rates).toFixed(1).padStart(8)} ${(median(rates) / median(base)).toFixed(2).padStart(7)}`);
  });
  console.log(`\nfirst media call (worker start, warm npm cache): ${(firstCallMs / 1000).toFixed(2)} s`);
  const mem = workerMemoryMb();
  console.log(`function workers running: ${mem.workers}, their memory (PSS) after the runs: ${mem.pssMb.toFixed(0)} MB`);

} finally {
  await test.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
