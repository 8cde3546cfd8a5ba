import type { OpenAPIV3 } from 'openapi-types';
import { arr, bool, int, json, obj, pathParam, ref, str } from '../../docs/schema-helpers.js';

// The pieces the storage routes' OpenAPI fragments share (each route documents itself beside
// its handler; stack/docs assembles them). Supabase Storage's routes as storage-js calls them;
// RLS on storage.objects / storage.buckets decides what each caller may do.

export const tags = ['Storage'];
export const storageError = json(ref('StorageError'), 'Storage error');
export const errors = { 400: storageError, 403: storageError, 404: storageError };
export const bucketParam = pathParam('bucket', 'Bucket id');
export const objectParam = pathParam('path', 'Object path inside the bucket; may contain `/` (send it unencoded)');
export const binary: OpenAPIV3.SchemaObject = { type: 'string', format: 'binary' };
export const bytes: OpenAPIV3.ResponseObject = { description: 'The bytes', content: { 'application/octet-stream': { schema: binary } } };
export const headers: OpenAPIV3.ResponseObject = { description: 'The headers a download would send, without the bytes' };
export const message = json(obj({ message: str() }));

export const storageSchemas: Record<string, OpenAPIV3.SchemaObject> = {
  StorageError: obj({ statusCode: str('HTTP status as a string'), error: str('Error code, e.g. `not_found`, `Duplicate`, `InvalidJWT`'), message: str() }),
  Bucket: obj({
    id: str(), name: str(), owner: str(), public: bool(), file_size_limit: int('bytes, or null'), allowed_mime_types: arr(str()),
    created_at: str(undefined, { format: 'date-time' }), updated_at: str(undefined, { format: 'date-time' }),
  }),
  FileObject: obj({
    name: str(), id: str(undefined, { nullable: true }), updated_at: str(), created_at: str(), last_accessed_at: str(),
    metadata: obj({ size: int(), mimetype: str(), eTag: str(), cacheControl: str() }),
  }),
};

export const bucketBody = obj({ id: str(), name: str(), public: bool(), file_size_limit: { oneOf: [int(), str()] }, allowed_mime_types: arr(str()) });
export const uploadBody: OpenAPIV3.RequestBodyObject = {
  required: true,
  content: { 'multipart/form-data': { schema: obj({ file: binary, cacheControl: str() }) }, 'application/octet-stream': { schema: binary } },
};
export const uploaded = json(obj({ Key: str('bucket/path'), Id: str() }));
export const imageQuery = ['width', 'height', 'quality'].map((name) => ({ name, in: 'query' as const, schema: int() }));
