import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../stack/storage/transform/image.js';

describe('the source format of a transformation is read from its first bytes, as libvips reads it', () => {
  it('names every format libvips reads as an image the way its header read does', async () => {
    const base = sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } });
    const made = {
      jpeg: await base.clone().jpeg().toBuffer(),
      png: await base.clone().png().toBuffer(),
      webp: await base.clone().webp().toBuffer(),
      gif: await base.clone().gif().toBuffer(),
      tiff: await base.clone().tiff().toBuffer(),
      heif: await base.clone().avif().toBuffer(),
    };
    for (const [format, bytes] of Object.entries(made)) {
      expect((await sharp(bytes).metadata()).format).toBe(format);
      expect(sniffFormat(bytes)).toBe(format);
    }
  });

  it('refuses what would be rendered or is no image at all: SVG, text, empty, truncated headers', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sniffFormat(text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toBeNull();
    expect(sniffFormat(text('<?xml version="1.0"?><svg/>'))).toBeNull();
    expect(sniffFormat(text('hello'))).toBeNull();
    expect(sniffFormat(new Uint8Array())).toBeNull();
    expect(sniffFormat(new Uint8Array([0xff, 0xd8]))).toBeNull();
    expect(sniffFormat(text('RIFF\0\0\0\0WAVE'))).toBeNull();
    expect(sniffFormat(text('\0\0\0\x18ftypmp42'))).toBeNull();
  });
});
