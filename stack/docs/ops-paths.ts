import type { OpenAPIV3 } from 'openapi-types';
import { json, num, obj, ref, security, str } from './schema-helpers.js';

// The gateway's own endpoints (stack/gateway): no key needed, loopback only in development.
const tags = ['Operations'];

export const opsSchemas: Record<string, OpenAPIV3.SchemaObject> = {
  ComponentHealth: obj({ status: str(undefined, { enum: ['up', 'down'] }), latency_ms: num(), error: str('Why it is down') }, ['status', 'latency_ms']),
  Health: {
    type: 'object',
    required: ['status', 'components'],
    properties: {
      status: str(undefined, { enum: ['healthy', 'unhealthy'] }),
      components: { type: 'object', description: 'postgres, rest, auth, storage, realtime, functions, inbox', additionalProperties: ref('ComponentHealth') },
    },
  },
};

export const opsPaths: OpenAPIV3.PathsObject = {
  '/health': {
    get: {
      tags, operationId: 'health', summary: 'Status and probe latency of every component', security: security.none,
      responses: { 200: json(ref('Health'), 'Every component is up'), 503: json(ref('Health'), 'At least one component is down') },
    },
  },
  '/metrics': {
    get: {
      tags, operationId: 'metrics', summary: 'Prometheus metrics (text exposition format)', security: security.none,
      responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: str() } } } },
    },
  },
};

