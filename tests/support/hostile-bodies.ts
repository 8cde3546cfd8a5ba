import http from 'node:http';

/**
 * What a hostile client sends: huge bodies streamed from one reused chunk (so the sender holds
 * no more than 64 KB however large the body), with or without a declared length, and deeply
 * nested JSON. Shared by the hostile-body test and `npm run bench:hostile`.
 */

export interface Answer {
  status: number;
  body: string;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace, for as long as it lasts

/**
 * POSTs `bytes` bytes to `url`, declared in Content-Length or chunked, and resolves with the
 * answer, which may come (and the connection close) before the body is all sent. Rejects when
 * the connection fails without an answer.
 */
export function sendHugeBody(url: string, bytes: number, options: { declareLength: boolean; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered: Answer | null = null;
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.declareLength ? { 'content-length': String(bytes) } : {}), ...options.headers },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        answered = { status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') };
        resolve(answered);
        req.destroy();
      });
      res.on('error', () => undefined);
    });
    // once answered, a reset of the upload is expected, not a failure
    req.on('error', (err) => (answered ? undefined : reject(err)));
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !answered && !req.destroyed) {
        const n = Math.min(CHUNK.length, bytes - sent);
        sent += n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void req.once('drain', pump);
      }
      if (sent >= bytes && !req.destroyed) req.end();
    };
    pump();
  });
}

/** A JSON array nested `depth` deep: `[[[...]]]`. */
export function deepJsonArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}
