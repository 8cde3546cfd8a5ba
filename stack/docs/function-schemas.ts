import type { OpenAPIV3 } from 'openapi-types';
import { z } from 'zod';
import { mediaUploadSchema, passwordResetSchema } from '../../functions/_shared/schemas.js';
import type { FunctionSchemas } from './function-paths.js';
import { obj, str } from './schema-helpers.js';

// The request schemas are the functions' own zod schemas (functions/_shared/schemas.ts, the same
// zod version as functions/deno.json), turned into OpenAPI 3.0 schemas. zod cannot express a
// File, so `z.instanceof(File)` becomes a binary string (a file field of a form).
const options = {
  target: 'openapi-3.0',
  io: 'input',
  unrepresentable: 'any',
  override: (ctx: { zodSchema: { _zod: { def: { type: string } } }; jsonSchema: Record<string, unknown> }) => {
    if (ctx.zodSchema._zod.def.type === 'custom') Object.assign(ctx.jsonSchema, { type: 'string', format: 'binary' });
  },
} as const;

export function openApiSchema(schema: z.ZodType): OpenAPIV3.SchemaObject {
  return z.toJSONSchema(schema, options) as OpenAPIV3.SchemaObject;
}

/**
 * A form cannot be "one of" several shapes in Swagger UI or Postman: the variants' fields are
 * merged into one form, a field required by every variant stays required, and the variants are
 * kept in the description.
 */
export function asOneForm(schema: OpenAPIV3.SchemaObject): OpenAPIV3.SchemaObject {
  const variants = (schema.oneOf ?? [schema]) as OpenAPIV3.SchemaObject[];
  const properties: Record<string, OpenAPIV3.SchemaObject> = {};
  for (const v of variants) {
    for (const [k, p] of Object.entries(v.properties ?? {}) as Array<[string, OpenAPIV3.SchemaObject]>) {
      const seen = properties[k];
      properties[k] = seen?.enum && p.enum ? { ...seen, enum: [...new Set([...seen.enum, ...p.enum])] } : (seen ?? p);
    }
  }
  const required = Object.keys(properties).filter((k) => variants.every((v) => v.required?.includes(k)));
  const notes = variants.map((v) => `{${(v.required ?? []).join(', ')}}`).join(' or ');
  return { type: 'object', properties, required, description: `Fields: ${notes}.` };
}

export async function loadFunctionSchemas(): Promise<FunctionSchemas> {
  return {
    mediaUpload: asOneForm(openApiSchema(mediaUploadSchema)),
    mediaResult: obj({ path: str('Object path in the bucket'), url: str('Public URL'), media_type: str(undefined, { enum: ['image', 'video'] }) }, ['path', 'url', 'media_type']),
    passwordReset: openApiSchema(passwordResetSchema),
    passwordResetResult: obj({ message: str() }, ['message']),
  };
}
