import sharp, { type Metadata } from 'sharp';
import { StorageError } from '../errors.js';
import type { TransformOptions } from './options.js';

/**
 * Storage's source limits for transformations (its image proxy's defaults on the platform):
 * at most 25 MB and 50 megapixels per source image.
 */
export const SOURCE_LIMITS = { bytes: 25 * 1000 * 1000, pixels: 50 * 1000 * 1000 };

/** Formats read as images; anything else (SVG above all: it would be rendered) is not transformed. */
const READABLE = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);

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
 * Transforms one stored image with libvips (on libuv's thread pool, off the event loop): checks
 * the source against Storage's limits from its header first, then orients it by its EXIF,
 * resizes (never enlarging, as the image proxy) and encodes it.
 */
export async function transformImage(sourcePath: string, sourceSize: number, options: TransformOptions, target: Target): Promise<TransformedImage> {
  if (sourceSize > SOURCE_LIMITS.bytes) throw IMAGE_ERRORS.tooLarge();
  // One instance: its header is read once, for the checks and for the transform. (No
  // limitInputPixels here: it would fail the header read itself, before the check below can
  // give Storage's error; the check keeps larger sources from ever being decoded.)
  const source = sharp(sourcePath);
  let meta: Metadata;
  try {
    meta = await source.metadata();
  } catch {
    throw IMAGE_ERRORS.unsupported();
  }
  if (!meta.format || !READABLE.has(meta.format) || !meta.width || !meta.height) throw IMAGE_ERRORS.unsupported();
  if (meta.width * (meta.pageHeight ?? meta.height) > SOURCE_LIMITS.pixels) throw IMAGE_ERRORS.tooManyPixels();

  const format = target !== 'origin' ? target : meta.format === 'heif' ? 'jpeg' : meta.format;
  const quality = options.quality ?? 80;
  try {
    let image = source.rotate();
    if (options.width || options.height) {
      image = image.resize({ width: options.width, height: options.height, fit: FIT[options.resize ?? 'cover'], withoutEnlargement: true });
    }
    const encoded = format === 'png' || format === 'gif' ? image.toFormat(format) : image.toFormat(format as 'jpeg' | 'webp' | 'avif' | 'tiff', { quality });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { data, format: info.format };
  } catch {
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
