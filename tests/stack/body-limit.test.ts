import { describe, expect, it } from 'vitest';
import { BodyTooLarge, jsonNestsDeeper, readCapped } from '../../stack/gateway/body-limit.js';

/** A request whose body is streamed in `chunks` chunks of `size` bytes, counting what was pulled. */
function streamed(chunks: number, size: number, headers: Record<string, string> = {}) {
  const state = { pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (state.pulled >= chunks) return ctrl.close();
      state.pulled++;
      ctrl.enqueue(new Uint8Array(size).fill(0x20));
    },
  }, { highWaterMark: 0 });
  return { request: new Request('http://x/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit), state };
}

describe('request bodies read against a cap', () => {
  it('reads a body up to the cap whole', async () => {
    const { request } = streamed(4, 1000);
    expect((await readCapped(request, 4000)).byteLength).toBe(4000);
  });

  it('stops at the first chunk past the cap, without reading the rest', async () => {
    const { request, state } = streamed(1000, 1000);
    await expect(readCapped(request, 4500)).rejects.toBeInstanceOf(BodyTooLarge);
    expect(state.pulled).toBeLessThanOrEqual(6);
  });

  it('refuses a declared length over the cap before reading anything', async () => {
    const { request, state } = streamed(10, 1000, { 'content-length': '10000' });
    await expect(readCapped(request, 5000)).rejects.toBeInstanceOf(BodyTooLarge);
    expect(state.pulled).toBe(0);
  });
});

describe('JSON nesting', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(jsonNestsDeeper('[[[]]]', 3)).toBe(false);
    expect(jsonNestsDeeper('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeper('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(jsonNestsDeeper('{"a":{"b":{"c":[1]}}}', 3)).toBe(true);
    expect(jsonNestsDeeper(`["${'['.repeat(50)}"]`, 1)).toBe(false);
    expect(jsonNestsDeeper(`["\\"${'['.repeat(5)}"]`, 1)).toBe(false);
    expect(jsonNestsDeeper('['.repeat(200_000) + ']'.repeat(200_000), 1000)).toBe(true);
  });
});
