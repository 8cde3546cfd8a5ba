// bench:storage's media client, in its own process as a device would be, on request over IPC: a
// tus upload or a single POST of the same bytes, or a batch of image renders a few at a time. In
// the server's process its work (tus-js-client's 16 KB writes, each a socket write and a drain;
// every render's request and response) would be charged to the server's event loop.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import * as tus from 'tus-js-client';
import type { MediaBenchContext } from './storage-media.js';

export type MediaOrder =
  | { kind: 'single' | 'tus'; ctx: MediaBenchContext; key: string; size: number }
  | { kind: 'renders'; urls: string[]; inFlight: number };

// keep-alive, as a browser loading thumbnails
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One render of `url` as WebP (as a browser that accepts it asks). */
function render(url: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
}

/** Every url rendered, `inFlight` at a time. */
async function renders(urls: string[], inFlight: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < urls.length) await render(urls[next++]);
  }));
}

/** One POST of `bytes` to /object through node:http, the client tus-js-client uses in Node. */
function singleUpload(ctx: MediaBenchContext, bytes: Buffer, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${ctx.apiUrl}/storage/v1/object/post-media/${key}`, {
      method: 'POST',
      headers: { apikey: ctx.anonKey, Authorization: `Bearer ${ctx.token}`, 'content-type': 'video/mp4', 'x-upsert': 'true', 'content-length': bytes.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`upload answered ${res.statusCode}: ${Buffer.concat(chunks)}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/** One tus upload of `bytes` in 6 MB chunks, as tus-js-client sends it. */
function tusUpload(ctx: MediaBenchContext, bytes: Buffer, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    new tus.Upload(bytes, {
      endpoint: `${ctx.apiUrl}/storage/v1/upload/resumable`,
      chunkSize: 6 * 1024 * 1024,
      retryDelays: [],
      headers: { apikey: ctx.anonKey, authorization: `Bearer ${ctx.token}`, 'x-upsert': 'true' },
      metadata: { bucketName: 'post-media', objectName: key, contentType: 'video/mp4' },
      storeFingerprintForResuming: false,
      onSuccess: () => resolve(),
      onError: reject,
    }).start();
  });
}

let bytes = Buffer.alloc(0);
process.on('message', async (order: MediaOrder) => {
  try {
    if (order.kind === 'renders') {
      const t = performance.now();
      await renders(order.urls, order.inFlight);
      process.send!({ ms: performance.now() - t });
      return;
    }
    if (bytes.length !== order.size) {
      bytes = Buffer.alloc(order.size);
      for (let i = 0; i < order.size; i++) bytes[i] = (i * 131) & 0xff;
    }
    const t = performance.now();
    await (order.kind === 'tus' ? tusUpload : singleUpload)(order.ctx, bytes, order.key);
    process.send!({ ms: performance.now() - t });
  } catch (err) {
    process.send!({ error: String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
