// The media parts of bench:storage: image transformations against sharp doing the same work in
// this process, and resumable (tus) uploads against one plain upload of the same bytes.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { MediaOrder } from './media-client.js';

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

/** The media client's process (media-client.ts): `ask` times one order there, in ms. */
export function startMediaClient(): { ask: (order: MediaOrder) => Promise<number>; stop: () => void } {
  const child = fork(fileURLToPath(new URL('./media-client.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const ask = (order: MediaOrder) =>
    new Promise<number>((resolve, reject) => {
      child.once('message', (m: { ms?: number; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.ms!)));
      child.send(order);
    });
  return { ask, stop: () => child.disconnect() };
}

/**
 * 1200x800 JPEG -> 300 px wide WebP: through /render/image (cold: every request a new quality,
 * so a new variant; cached: one URL again and again), asked by the media client's process,
 * beside sharp resizing the same file in this process, with as many in flight each.
 */
export async function benchTransforms(ctx: MediaBenchContext, client: ReturnType<typeof startMediaClient>, rounds: number): Promise<void> {
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
  const url = (quality: number) => `${ctx.apiUrl}/storage/v1/render/image/public/post-media/${key}?width=300&quality=${quality}`;
  const renders = async (qualities: number[]) => qualities.length / ((await client.ask({ kind: 'renders', urls: qualities.map(url), inFlight: IN_FLIGHT })) / 1000);
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
    coldRates.push(await renders(Array.from({ length: count }, (_, i) => 21 + r * count + i)));
    cachedRates.push(await renders(Array.from({ length: count }, () => 21)));
  }
  const base = median(sharpRates);
  console.log(`\nImage transformations: 1200x800 JPEG -> 300 px WebP, ${count} a round, ${IN_FLIGHT} at a time, median per second\n`);
  console.log(`${'operation'.padEnd(40)} ${'ops/s'.padStart(8)} ${'ratio'.padStart(7)}`);
  console.log(`${'sharp in this process (baseline)'.padEnd(40)} ${base.toFixed(1).padStart(8)} ${'1.00'.padStart(7)}`);
  console.log(`${'/render/image cold (new variant)'.padEnd(40)} ${median(coldRates).toFixed(1).padStart(8)} ${(median(coldRates) / base).toFixed(2).padStart(7)}`);
  console.log(`${'/render/image cached variant'.padEnd(40)} ${median(cachedRates).toFixed(1).padStart(8)} ${(median(cachedRates) / base).toFixed(2).padStart(7)}`);
}

/**
 * 24 MB through /upload/resumable (6 MB chunks) beside one POST of the same bytes to /object,
 * alternated.
 */
export async function benchResumable(ctx: MediaBenchContext, client: ReturnType<typeof startMediaClient>, rounds: number): Promise<void> {
  const size = 24 * 1024 * 1024;
  const upload = async (kind: 'single' | 'tus', key: string) => size / 1024 / 1024 / ((await client.ask({ kind, ctx, key, size })) / 1000);
  const single: number[] = [];
  const resumable: number[] = [];
  // the client's and the routes' first-call setup, outside the timing
  await upload('single', `${ctx.userId}/bench-single.mp4`);
  await upload('tus', `${ctx.userId}/bench-tus.mp4`);
  for (let r = 0; r < rounds; r++) {
    single.push(await upload('single', `${ctx.userId}/bench-single.mp4`));
    resumable.push(await upload('tus', `${ctx.userId}/bench-tus.mp4`));
  }
  const base = median(single);
  console.log(`\nResumable uploads: 24 MB, ${rounds} rounds each, median MB/s\n`);
  console.log(`${'operation'.padEnd(40)} ${'MB/s'.padStart(8)} ${'ratio'.padStart(7)}`);
  console.log(`${'one POST /object (baseline)'.padEnd(40)} ${base.toFixed(1).padStart(8)} ${'1.00'.padStart(7)}`);
  console.log(`${'tus /upload/resumable, 6 MB chunks'.padEnd(40)} ${median(resumable).toFixed(1).padStart(8)} ${(median(resumable) / base).toFixed(2).padStart(7)}`);
}
