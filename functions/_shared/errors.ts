import { corsHeaders } from './cors.ts';

/** An error a function answers with: HTTP status, a stable code and a message for people. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const unauthorized = (message = 'Sign in first') => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const methodNotAllowed = () => new HttpError(405, 'method_not_allowed', 'Use POST');
export const tooLarge = (message: string) => new HttpError(413, 'payload_too_large', message);
export const unsupportedType = (message: string) => new HttpError(415, 'unsupported_media_type', message);
export const tooManyRequests = (message: string) => new HttpError(429, 'rate_limited', message);

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...corsHeaders, 'Content-Type': 'application/json' } });
}

/** `{ code, message }` (plus `details` for validation errors); anything unexpected is a logged 500. */
export function errorResponse(err: unknown): Response {
  if (err instanceof HttpError) {
    return json({ code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }, err.status);
  }
  console.error(JSON.stringify({ level: 'error', event: 'unhandled_error', message: err instanceof Error ? err.message : String(err) }));
  return json({ code: 'internal_error', message: 'Something went wrong' }, 500);
}
