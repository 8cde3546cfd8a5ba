import { type FileHandle, open } from 'node:fs/promises';
import sharp from 'sharp';
import { ERRORS, StorageError } from '../errors.js';
import type { TransformOptions } from './options.js';

/**
 * Storage's source limits for transformations (its image proxy's defaults on the platform):
 * at most 25 MB and 50 megapixels per source image.
 */
export const SOURCE_LIMITS = { bytes: 25 * 1000 * 1000, pixels: 50 * 1000 * 1000 };

/** What the client gets: its explicit format, WebP when it accepts it, or the source's own. */
export type Target = 'origin' | 'webp' | 'avif';

// Storage's image-processing errors: a 400 InvalidRequest with its fixed wording.
const imageError = (message: string) => new StorageError('InvalidRequest', 400, message);
export const IMAGE_ERRORS = {
  unsupported: () => imageError('The source image is invalid or unsupported for rendering'),
  tooManyPixels: () => imageError('The source image resolution is too large to process'),
  tooLarge: () => imageError('The source image file is too large to process'),
};

/**
 * The format asked for: explicit `format` wins; `origin` keeps the source's; otherwise WebP when
 * the client's Accept names it (the local CLI's image proxy detects WebP only).
 */
export function targetFormat(options: TransformOptions, accept: string | null): Target {
  if (options.format === 'origin') return 'origin';
  if (options.format) return options.format;
  return /\bimage\/webp\b/i.test(accept ?? '') ? 'webp' : 'origin';
}

// Storage's resize names as sharp's fits: cover crops to fill the box, contain fits inside it, fill stretches.
const FIT = { cover: 'cover', contain: 'inside', fill: 'fill' } as const;

export interface TransformedImage {
  data: Buffer;
  /** sharp's format name of the result: jpeg, png, webp, avif, gif, tiff. */
  format: string;
}

/**
 * The source's format from its first bytes, as libvips would load it; null for anything not read
 * as an image (SVG above all: it would be rendered). Sniffed here rather than asked of libvips,
 * whose header read costs as much again as the rest of a small transform's work on this thread.
 */
export function sniffFormat(bytes: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  // ISO base media (HEIC and AVIF alike, which libvips reads as heif): an ftyp box with an image brand.
  if (ascii(4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(8, 12))) return 'heif';
  return null;
}

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis']);

/**
 * The stored source's format, sniffed from its first bytes (see sniffFormat); NoSuchKey when the
 * version's bytes went between the row's read and this one. A version's bytes never change, so
 * callers may keep the answer for as long as they keep the version.
 */
export async function sourceFormat(sourcePath: string): Promise<string | null> {
  let file: FileHandle;
  try {
    file = await open(sourcePath, 'r');
  } catch {
    throw ERRORS.noSuchKey();
  }
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(16), 0, 16, 0);
    return sniffFormat(buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/**
 * Transforms one stored image with libvips (on libuv's thread pool, off the event loop) in one
 * pass: checks the source against Storage's limits (size, then pixels from the header as libvips
 * opens it, before anything is decoded), orients it by its EXIF, resizes (never enlarging, as the
 * image proxy) and encodes it. `format` is sourceFormat's answer for the file. libvips reads the
 * file itself, as it decodes: no copy of the source passes through the event loop.
 */
export async function transformImage(sourcePath: string, sourceSize: number, sourceFormat: string | null, options: TransformOptions, target: Target): Promise<TransformedImage> {
  // The size Storage recorded for the version (its file is written once, never changed).
  if (sourceSize > SOURCE_LIMITS.bytes) throw IMAGE_ERRORS.tooLarge();
  if (!sourceFormat) throw IMAGE_ERRORS.unsupported();
  const format = target !== 'origin' ? target : sourceFormat === 'heif' ? 'jpeg' : sourceFormat;
  const quality = options.quality ?? 80;
  try {
    let image = sharp(sourcePath, { limitInputPixels: SOURCE_LIMITS.pixels }).rotate();
    if (options.width || options.height) {
      image = image.resize({ width: options.width, height: options.height, fit: FIT[options.resize ?? 'cover'], withoutEnlargement: true });
    }
    const encoded = format === 'png' || format === 'gif' ? image.toFormat(format) : image.toFormat(format as 'jpeg' | 'webp' | 'avif' | 'tiff', { quality });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { data, format: info.format };
  } catch (err) {
    const message = (err as Error).message;
    if (/exceeds pixel limit/.test(message)) throw IMAGE_ERRORS.tooManyPixels();
    if (/^Input file is missing/.test(message)) throw ERRORS.noSuchKey();
    throw IMAGE_ERRORS.unsupported();
  }
}

export const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heif: 'image/avif',
};
