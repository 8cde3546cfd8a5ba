import type { Context } from 'hono';
import { BodyTooLarge, jsonNestsDeeper, readContextText } from '../../gateway/body-limit.js';
import { ERRORS } from '../errors.js';
import { schemaError } from './validate.js';

/** Nesting allowed in a JSON body (Storage's bodies are flat; this only stops abuse). */
const MAX_JSON_DEPTH = 100;

/** A JSON object body, or Storage's 400 for anything else. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readContextText(c);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw ERRORS.bodyTooLarge();
    throw err;
  }
  if (jsonNestsDeeper(text, MAX_JSON_DEPTH)) throw schemaError('Body nests too deeply');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw schemaError('Body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw schemaError('body must be object');
  return body as Record<string, unknown>;
}
