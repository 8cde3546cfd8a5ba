// The media parts of bench:storage: image transformations against sharp doing the same work in
// this process, and resumable (tus) uploads against one plain upload of the same bytes.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { UploadOrder } from './upload-client.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface MediaBenchContext {
  apiUrl: string;
  anonKey: string;
  token: string;
  userId: string;
  dir: string;
}

/** A 1200x800 photo-like JPEG (gradients and texture, so the encoder has real work). */
async function photo(): Promise<Buffer> {
  const width = 1200;
  const height = 800;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x * 7 + y) & 0xff;
      raw[i + 1] = (y * 3) & 0xff;
      raw[i + 2] = ((x ^ y) * 5) & 0xff;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

// As a feed loads thumbnails: several at once (the same for the baseline).
const IN_FLIGHT = 4;

/** Operations per second over `count` runs of `fn(i)`, IN_FLIGHT at a time. */
async function perSecond(count: number, fn: (i: number) => Promise<void>): Promise<number> {
  const t = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return count / ((performance.now() - t) / 1000);
}

/**
 * 1200x800 JPEG -> 300 px wide WebP: through /render/image (cold: every request a new quality,
 * so a new variant; cached: one URL again and again) beside sharp resizing the same file in this
 * process, with as many in flight each.
 */
export async function benchTransforms(ctx: MediaBenchContext, rounds: number): Promise<void> {
  const jpeg = await photo();
  const key = `${ctx.userId}/bench-photo.jpg`;
  const up = await fetch(`${ctx.apiUrl}/storage/v1/object/post-media/${key}`, {
    method: 'POST',
    headers: { apikey: ctx.anonKey, Authorization: `Bearer ${ctx.token}`, 'content-type': 'image/jpeg' },
    body: new Uint8Array(jpeg),
  });
  if (!up.ok) throw new Error(`photo upload answered ${up.status}: ${await up.text()}`);
  const file = path.join(ctx.dir, 'photo.jpg');
  writeFileSync(file, jpeg);
  const count = 20;
  // node:http with keep-alive rather than fetch: the client shares this process's two cores with
  // the server, and undici costs several times more per request than the plain client.
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const render = (quality: number) =>
    new Promise<void>((resolve, reject) => {
      const url = `${ctx.apiUrl}/storage/v1/render/image/public/post-media/${key}?width=300&quality=${quality}`;
      http.get(url, { agent, headers: { Accept: 'image/webp,*/*' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200 || res.headers['content-type'] !== 'image/webp') reject(new Error(`render answered ${res.statusCode}: ${Buffer.concat(chunks)}`));
          else resolve();
        });
        res.on('error', reject);
      }).on('error', reject);
    });
  const bySharp = async (quality: number) => {
    await sharp(file).rotate().resize({ width: 300, withoutEnlargement: true }).webp({ quality }).toBuffer();
  };
  // Qualities 21..100 are 80 distinct variants: each cold round uses its own 20.
  const sharpRates: number[] = [];
  const coldRates: number[] = [];
  const cachedRates: number[] = [];
  await bySharp(80); // sharp's own first-call setup, outside the timing
  for (let r = 0; r < Math.min(rounds, 4); r++) {
    sharpRates.push(await perSecond(count, (i) => bySharp(21 + r * count + i)));
    coldRates.push(await perSecond(count, (i) => render(21 + r * count + i)));
    cachedRates.push(await perSecond(count, () => render(21)));
  }
  const base = median(sharpRates);
  console.log(`\nImage transformations: 1200x800 JPEG -> 300 px WebP, ${count} a round, ${IN_FLIGHT} at a time, median per second\n`);
  console.log(`${'operation'.padEnd(40)} ${'ops/s'.padStart(8)} ${'ratio'.padStart(7)}`);
  console.log(`${'sharp in this process (baseline)'.padEnd(40)} ${base.toFixed(1).padStart(8)} ${'1.00'.padStart(7)}`);
  console.log(`${'/render/image cold (new variant)'.padEnd(40)} ${median(coldRates).toFixed(1).padStart(8)} ${(median(coldRates) / base).toFixed(2).padStart(7)}`);
  console.log(`${'/render/image cached variant'.padEnd(40)} ${median(cachedRates).toFixed(1).padStart(8)} ${(median(cachedRates) / base).toFixed(2).padStart(7)}`);
  agent.destroy();
}

/**
 * 24 MB through /upload/resumable (6 MB chunks) beside one POST of the same bytes to /object,
 * alternated. The client runs in its own process (upload-client.ts), as a device would.
 */
export async function benchResumable(ctx: MediaBenchContext, rounds: number): Promise<void> {
  const size = 24 * 1024 * 1024;
  const client = fork(fileURLToPath(new URL('./upload-client.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const upload = (order: Omit<UploadOrder, 'ctx' | 'size'>) =>
    new Promise<number>((resolve, reject) => {
      client.once('message', (m: { ms?: number; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(size / 1024 / 1024 / (m.ms! / 1000))));
      client.send({ ...order, ctx, size } satisfies UploadOrder);
    });
  const single: number[] = [];
  const resumable: number[] = [];
  try {
    // the client's and the routes' first-call setup, outside the timing
    await upload({ kind: 'single', key: `${ctx.userId}/bench-single.mp4` });
    await upload({ kind: 'tus', key: `${ctx.userId}/bench-tus.mp4` });
    for (let r = 0; r < rounds; r++) {
      single.push(await upload({ kind: 'single', key: `${ctx.userId}/bench-single.mp4` }));
      resumable.push(await upload({ kind: 'tus', key: `${ctx.userId}/bench-tus.mp4` }));
    }
  } finally {
    client.disconnect();
  }
  const base = median(single);
  console.log(`\nResumable uploads: 24 MB, ${rounds} rounds each, median MB/s\n`);
  console.log(`${'operation'.padEnd(40)} ${'MB/s'.padStart(8)} ${'ratio'.padStart(7)}`);
  console.log(`${'one POST /object (baseline)'.padEnd(40)} ${base.toFixed(1).padStart(8)} ${'1.00'.padStart(7)}`);
  console.log(`${'tus /upload/resumable, 6 MB chunks'.padEnd(40)} ${median(resumable).toFixed(1).padStart(8)} ${(median(resumable) / base).toFixed(2).padStart(7)}`);
}
