import type { OpenAPIV3 } from 'openapi-types';

type Schema = OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject;

/** A small example value for a schema, for request bodies in Postman (deterministic). */
export function exampleFor(schema: Schema | undefined, components: OpenAPIV3.ComponentsObject | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if ('$ref' in schema) return exampleFor(components?.schemas?.[schema.$ref.split('/').pop()!], components, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.oneOf?.length) return exampleFor(schema.oneOf[0], components, depth + 1);
  if (schema.anyOf?.length) return exampleFor(schema.anyOf[0], components, depth + 1);
  switch (schema.type) {
    case 'object': {
      // Required keys only, or all when none is required: the smallest body that makes sense.
      const props = Object.entries(schema.properties ?? {});
      const keep = schema.required?.length ? props.filter(([k]) => schema.required!.includes(k)) : props;
      return Object.fromEntries(keep.filter(([, v]) => !('readOnly' in v && v.readOnly)).map(([k, v]) => [k, exampleFor(v, components, depth + 1)]));
    }
    case 'array':
      return [exampleFor(schema.items, components, depth + 1)];
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'uuid') return '00000000-0000-0000-0000-000000000000';
      if (schema.format === 'email') return 'user@example.com';
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      return '';
    default:
      return null;
  }
}
