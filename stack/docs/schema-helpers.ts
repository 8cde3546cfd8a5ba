import type { OpenAPIV3 } from 'openapi-types';

// Small constructors so hand-written descriptions stay short and typed.
export const str = (description?: string, extra: Partial<OpenAPIV3.NonArraySchemaObject> = {}): OpenAPIV3.SchemaObject => ({ type: 'string', ...(description ? { description } : {}), ...extra });
export const num = (description?: string): OpenAPIV3.SchemaObject => ({ type: 'number', ...(description ? { description } : {}) });
export const int = (description?: string): OpenAPIV3.SchemaObject => ({ type: 'integer', ...(description ? { description } : {}) });
export const bool = (description?: string): OpenAPIV3.SchemaObject => ({ type: 'boolean', ...(description ? { description } : {}) });
export const obj = (properties: Record<string, OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject>, required: string[] = [], description?: string): OpenAPIV3.SchemaObject => ({
  type: 'object', properties, ...(required.length ? { required } : {}), ...(description ? { description } : {}),
});
export const arr = (items: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject): OpenAPIV3.SchemaObject => ({ type: 'array', items });
export const ref = (name: string): OpenAPIV3.ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

export const json = (schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject, description = 'OK'): OpenAPIV3.ResponseObject => ({
  description, content: { 'application/json': { schema } },
});
export const jsonBody = (schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject, required = true): OpenAPIV3.RequestBodyObject => ({
  required, content: { 'application/json': { schema } },
});
export const query = (name: string, schema: OpenAPIV3.SchemaObject, description?: string, required = false): OpenAPIV3.ParameterObject => ({
  name, in: 'query', required, schema, ...(description ? { description } : {}),
});
export const pathParam = (name: string, description?: string): OpenAPIV3.ParameterObject => ({
  name, in: 'path', required: true, schema: { type: 'string' }, ...(description ? { description } : {}),
});

/** Security requirements: who may call an operation. */
export const security = {
  /** Any client: the anon key as apikey (and bearer). */
  apikey: [{ apikey: [] }] as OpenAPIV3.SecurityRequirementObject[],
  /** A signed-in user: apikey plus the user's access token as bearer. */
  user: [{ apikey: [], bearer: [] }] as OpenAPIV3.SecurityRequirementObject[],
  /** The service_role key as bearer: server-side only. */
  serviceRole: [{ apikey: [], bearer: [] }] as OpenAPIV3.SecurityRequirementObject[],
  none: [] as OpenAPIV3.SecurityRequirementObject[],
};
