import { StorageError } from '../errors.js';

/**
 * Body checks worded as Storage's JSON schemas (Fastify/ajv) word them: a 400 InvalidRequest
 * "body/limit must be >= 1", "body must have required property 'prefix'".
 */
export function schemaError(message: string): StorageError {
  return new StorageError('InvalidRequest', 400, message, 'Bad Request');
}

const where = (path: string) => (path ? `body/${path}` : 'body');

export function requiredString(body: Record<string, unknown>, key: string, path = ''): string {
  if (body[key] === undefined) throw schemaError(`${where(path)} must have required property '${key}'`);
  return optionalString(body, key, path)!;
}

export function optionalString(body: Record<string, unknown>, key: string, path = ''): string | undefined {
  const v = body[key];
  if (v !== undefined && typeof v !== 'string') throw schemaError(`${where(path ? `${path}/${key}` : key)} must be string`);
  return v as string | undefined;
}

export function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v !== undefined && typeof v !== 'boolean') throw schemaError(`body/${key} must be boolean`);
  return v as boolean | undefined;
}

export function optionalInteger(body: Record<string, unknown>, key: string, minimum: number): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw schemaError(`body/${key} must be integer`);
  if (v < minimum) throw schemaError(`body/${key} must be >= ${minimum}`);
  return v;
}

export function optionalObject(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw schemaError(`body/${key} must be object`);
  return v as Record<string, unknown>;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], path: string): T | undefined {
  if (value !== undefined && !allowed.includes(value as T)) throw schemaError(`body/${path} must be equal to one of the allowed values`);
  return value as T | undefined;
}

/** `sortBy: {column, order}` as Storage's list schemas allow it (column required when sortBy is given). */
export function sortBy<C extends string>(body: Record<string, unknown>, columns: readonly C[]): { column?: C; order?: 'asc' | 'desc' } {
  const s = optionalObject(body, 'sortBy');
  if (!s) return {};
  const column = oneOf(requiredString(s, 'column', 'sortBy'), columns, 'sortBy/column');
  const order = oneOf(optionalString(s, 'order', 'sortBy'), ['asc', 'desc'] as const, 'sortBy/order');
  return { column, order };
}
