import type { OpenAPIV3 } from 'openapi-types';
import { json, num, obj, ref, security, str } from './schema-helpers.js';

// The gateway's own endpoints (stack/gateway): /health needs no key; /metrics needs the service key.
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
      tags, operationId: 'metrics', summary: 'Prometheus metrics (text exposition format); needs the service key (HTTP Basic service_role:<key>, apikey or bearer)',
      security: security.serviceRole,
      responses: {
        200: { description: 'Metrics', content: { 'text/plain': { schema: str() } } },
        401: json(obj({ message: str() }, ['message']), 'No service key'),
      },
    },
  },
};

