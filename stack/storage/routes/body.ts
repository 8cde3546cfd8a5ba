import type { Context } from 'hono';
import { ERRORS } from '../errors.js';

/** A JSON object body, or Storage's 400 for anything else. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    const text = await c.req.text();
    body = text ? JSON.parse(text) : {};
  } catch {
    throw ERRORS.invalidParameter('Body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw ERRORS.invalidParameter('body must be object');
  return body as Record<string, unknown>;
}
