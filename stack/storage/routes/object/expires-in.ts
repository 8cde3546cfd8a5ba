import { schemaError } from '../validate.js';

/** A signed URL's lifetime in seconds, worded as Storage's schema refuses it. */
export function expiresIn(body: Record<string, unknown>): number {
  const v = body.expiresIn;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw schemaError(typeof v === 'number' && Number.isInteger(v) ? 'body/expiresIn must be >= 1' : v === undefined ? "body must have required property 'expiresIn'" : 'body/expiresIn must be integer');
  return v;
}
