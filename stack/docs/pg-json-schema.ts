import type { OpenAPIV3 } from 'openapi-types';

// How a Postgres value travels as JSON through PostgREST: bigint is a JSON number, numeric
// too, timestamps are strings, json/jsonb any value.
const BY_UDT: Record<string, OpenAPIV3.NonArraySchemaObject> = {
  int2: { type: 'integer' },
  int4: { type: 'integer' },
  int8: { type: 'integer', format: 'int64' },
  float4: { type: 'number' },
  float8: { type: 'number' },
  numeric: { type: 'number' },
  bool: { type: 'boolean' },
  uuid: { type: 'string', format: 'uuid' },
  timestamptz: { type: 'string', format: 'date-time' },
  timestamp: { type: 'string', format: 'date-time' },
  date: { type: 'string', format: 'date' },
  json: {},
  jsonb: {},
};

export function schemaForPgType(udt: string, type: string, isArray: boolean, enumValues: string[] | null = null): OpenAPIV3.SchemaObject {
  const base: OpenAPIV3.NonArraySchemaObject = enumValues
    ? { type: 'string', enum: enumValues }
    : { ...(BY_UDT[udt] ?? { type: 'string' }) };
  if (isArray) return { type: 'array', items: base, description: `Postgres \`${type}\`` };
  return { ...base, description: `Postgres \`${type}\`` };
}
