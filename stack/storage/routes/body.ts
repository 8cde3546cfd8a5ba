import type { Context } from 'hono';
import { schemaError } from './validate.js';

/** A JSON object body, or Storage's 400 for anything else. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    const text = await c.req.text();
    body = text ? JSON.parse(text) : {};
  } catch {
    throw schemaError('Body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw schemaError('body must be object');
  return body as Record<string, unknown>;
}
