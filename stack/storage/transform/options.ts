import { schemaError } from '../routes/validate.js';

/** What a client may ask of an image (storage-js `TransformOptions`, Storage's transformation schema). */
export interface TransformOptions {
  width?: number;
  height?: number;
  resize?: 'cover' | 'contain' | 'fill';
  format?: 'origin' | 'avif' | 'webp';
  quality?: number;
}

const RESIZE = ['cover', 'contain', 'fill'] as const;
const FORMAT = ['origin', 'avif', 'webp'] as const;

// Storage clamps each side into [IMAGE_TRANSFORMATION_LIMIT_MIN_SIZE, IMAGE_TRANSFORMATION_LIMIT_MAX_SIZE].
export const SIDE_LIMITS = { min: 1, max: 2500 };

const clamp = (n: number) => Math.min(SIDE_LIMITS.max, Math.max(SIDE_LIMITS.min, n));

type Source = 'querystring' | 'body/transform';

function integer(value: unknown, where: Source, key: string, minimum: number, maximum?: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw schemaError(`${where}/${key} must be integer`);
  if (n < minimum) throw schemaError(`${where}/${key} must be >= ${minimum}`);
  if (maximum !== undefined && n > maximum) throw schemaError(`${where}/${key} must be <= ${maximum}`);
  return n;
}

function oneOf<T extends string>(value: unknown, where: Source, key: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw schemaError(`${where}/${key} must be equal to one of the allowed values`);
  }
  return value as T;
}

/** Checks the options as Storage's schema does (0 is allowed and means "not given", as Storage reads it). */
function parse(input: Record<string, unknown>, where: Source): TransformOptions {
  const width = integer(input.width, where, 'width', 0);
  const height = integer(input.height, where, 'height', 0);
  const options: TransformOptions = {
    width: width ? clamp(width) : undefined,
    height: height ? clamp(height) : undefined,
    resize: oneOf(input.resize, where, 'resize', RESIZE),
    format: oneOf(input.format, where, 'format', FORMAT),
    quality: integer(input.quality, where, 'quality', 20, 100),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TransformOptions;
}

/** `?width=&height=&resize=&format=&quality=` of a render URL. */
export function parseTransformQuery(query: Record<string, string>): TransformOptions {
  return parse(query, 'querystring');
}

/** The `transform` object of a signing request; undefined when it asks for nothing. */
export function parseTransformBody(value: unknown): TransformOptions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw schemaError('body/transform must be object');
  const options = parse(value as Record<string, unknown>, 'body/transform');
  return Object.keys(options).length ? options : undefined;
}

/**
 * The options as one string (`height:300,width:300,resize:cover,quality:80,format:webp`), the form
 * Storage carries in a signed URL's token, so the signature covers them.
 */
export function transformationsString(o: TransformOptions): string {
  const parts: string[] = [];
  if (o.height) parts.push(`height:${o.height}`);
  if (o.width) parts.push(`width:${o.width}`);
  if ((o.width || o.height) && o.resize) parts.push(`resize:${o.resize}`);
  if (o.quality) parts.push(`quality:${o.quality}`);
  if (o.format && o.format !== 'origin') parts.push(`format:${o.format}`);
  return parts.join(',');
}

/** Reads a signed token's string back (it was checked when signed; anything unknown is dropped). */
export function parseTransformationsString(value: unknown): TransformOptions {
  if (typeof value !== 'string' || !value) return {};
  const fields: Record<string, string> = {};
  for (const part of value.split(',')) {
    const [name, v] = part.split(':');
    if (name && v) fields[name] = v;
  }
  try {
    return parse(fields, 'querystring');
  } catch {
    return {};
  }
}
