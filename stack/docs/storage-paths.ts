import type { OpenAPIV3 } from 'openapi-types';
import { arr, bool, int, json, jsonBody, obj, pathParam, query, ref, security, str } from './schema-helpers.js';

// Supabase Storage's routes as storage-js calls them (supabase/storage src/http/routes/).
// RLS on storage.objects / storage.buckets decides what each caller may do.
const tags = ['Storage'];
const storageError = json(ref('StorageError'), 'Storage error');
const errors = { 400: storageError, 403: storageError, 404: storageError };
const bucket = pathParam('bucket', 'Bucket id');
const object = pathParam('path', 'Object path inside the bucket; may contain `/` (send it unencoded)');
const binary: OpenAPIV3.SchemaObject = { type: 'string', format: 'binary' };

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

const bucketBody = obj({ id: str(), name: str(), public: bool(), file_size_limit: { oneOf: [int(), str()] }, allowed_mime_types: arr(str()) });
const upload: OpenAPIV3.RequestBodyObject = {
  required: true,
  content: { 'multipart/form-data': { schema: obj({ file: binary, cacheControl: str() }) }, 'application/octet-stream': { schema: binary } },
};
const uploaded = json(obj({ Key: str('bucket/path'), Id: str() }));

export const storagePaths: OpenAPIV3.PathsObject = {
  '/storage/v1/bucket': {
    get: { tags, operationId: 'storage_list_buckets', summary: 'List buckets', security: security.user, responses: { 200: json(arr(ref('Bucket'))), ...errors } },
    post: { tags, operationId: 'storage_create_bucket', summary: 'Create a bucket', security: security.serviceRole, requestBody: jsonBody(bucketBody), responses: { 200: json(obj({ name: str() })), ...errors } },
  },
  '/storage/v1/bucket/{bucket}': {
    parameters: [bucket],
    get: { tags, operationId: 'storage_get_bucket', summary: 'Get a bucket', security: security.user, responses: { 200: json(ref('Bucket')), ...errors } },
    put: { tags, operationId: 'storage_update_bucket', summary: 'Update a bucket', security: security.serviceRole, requestBody: jsonBody(bucketBody), responses: { 200: json(obj({ message: str() })), ...errors } },
    delete: { tags, operationId: 'storage_delete_bucket', summary: 'Delete an empty bucket', security: security.serviceRole, responses: { 200: json(obj({ message: str() })), ...errors } },
  },
  '/storage/v1/bucket/{bucket}/empty': {
    parameters: [bucket],
    post: { tags, operationId: 'storage_empty_bucket', summary: 'Remove every object of a bucket', security: security.serviceRole, responses: { 200: json(obj({ message: str() })), ...errors } },
  },
  '/storage/v1/object/{bucket}/{path}': {
    parameters: [bucket, object],
    post: {
      tags, operationId: 'storage_upload', summary: 'Upload an object', security: security.user, requestBody: upload,
      parameters: [{ name: 'x-upsert', in: 'header', schema: { type: 'string', enum: ['true', 'false'] }, description: 'Overwrite an existing object' }],
      responses: { 200: uploaded, 409: storageError, 413: storageError, ...errors },
    },
    put: { tags, operationId: 'storage_update', summary: 'Replace an existing object', security: security.user, requestBody: upload, responses: { 200: uploaded, ...errors } },
    get: { tags, operationId: 'storage_download', summary: 'Download an object (as the caller)', security: security.user, responses: { 200: { description: 'The bytes', content: { 'application/octet-stream': { schema: binary } } }, ...errors } },
  },
  '/storage/v1/object/{bucket}': {
    parameters: [bucket],
    delete: {
      tags, operationId: 'storage_remove', summary: 'Remove objects', security: security.user,
      requestBody: jsonBody(obj({ prefixes: arr(str()) }, ['prefixes'])), responses: { 200: json(arr(ref('FileObject'))), ...errors },
    },
  },
  '/storage/v1/object/public/{bucket}/{path}': {
    parameters: [bucket, object],
    get: { tags, operationId: 'storage_public_download', summary: 'Download from a public bucket (no key needed)', security: security.none, responses: { 200: { description: 'The bytes', content: { 'application/octet-stream': { schema: binary } } }, ...errors } },
  },
  '/storage/v1/object/authenticated/{bucket}/{path}': {
    parameters: [bucket, object],
    get: { tags, operationId: 'storage_authenticated_download', summary: 'Download an object as the caller', security: security.user, responses: { 200: { description: 'The bytes', content: { 'application/octet-stream': { schema: binary } } }, ...errors } },
  },
  '/storage/v1/object/info/{bucket}/{path}': {
    parameters: [bucket, object],
    get: { tags, operationId: 'storage_info', summary: 'An object\'s metadata', security: security.user, responses: { 200: json(obj({})), ...errors } },
  },
  '/storage/v1/object/list/{bucket}': {
    parameters: [bucket],
    post: {
      tags, operationId: 'storage_list', summary: 'List objects under a prefix', security: security.user,
      requestBody: jsonBody(obj({ prefix: str(), limit: int(), offset: int(), search: str(), sortBy: obj({ column: str(), order: str(undefined, { enum: ['asc', 'desc'] }) }) }, ['prefix'])),
      responses: { 200: json(arr(ref('FileObject'))), ...errors },
    },
  },
  '/storage/v1/object/move': {
    post: {
      tags, operationId: 'storage_move', summary: 'Move (rename) an object', security: security.user,
      requestBody: jsonBody(obj({ bucketId: str(), sourceKey: str(), destinationKey: str(), destinationBucket: str() }, ['bucketId', 'sourceKey', 'destinationKey'])),
      responses: { 200: json(obj({ message: str() })), ...errors },
    },
  },
  '/storage/v1/object/copy': {
    post: {
      tags, operationId: 'storage_copy', summary: 'Copy an object', security: security.user,
      requestBody: jsonBody(obj({ bucketId: str(), sourceKey: str(), destinationKey: str(), destinationBucket: str() }, ['bucketId', 'sourceKey', 'destinationKey'])),
      responses: { 200: json(obj({ Key: str() })), ...errors },
    },
  },
  '/storage/v1/object/sign/{bucket}/{path}': {
    parameters: [bucket, object],
    post: {
      tags, operationId: 'storage_create_signed_url', summary: 'Create a signed download URL', security: security.user,
      requestBody: jsonBody(obj({ expiresIn: int('seconds') }, ['expiresIn'])), responses: { 200: json(obj({ signedURL: str() })), ...errors },
    },
    get: {
      tags, operationId: 'storage_signed_download', summary: 'Download with a signed URL\'s token', security: security.none,
      parameters: [query('token', str(), undefined, true)], responses: { 200: { description: 'The bytes', content: { 'application/octet-stream': { schema: binary } } }, ...errors },
    },
  },
  '/storage/v1/object/sign/{bucket}': {
    parameters: [bucket],
    post: {
      tags, operationId: 'storage_create_signed_urls', summary: 'Create signed download URLs for several objects', security: security.user,
      requestBody: jsonBody(obj({ expiresIn: int(), paths: arr(str()) }, ['expiresIn', 'paths'])),
      responses: { 200: json(arr(obj({ path: str(), signedURL: str(undefined, { nullable: true }), error: str(undefined, { nullable: true }) }))), ...errors },
    },
  },
  '/storage/v1/object/upload/sign/{bucket}/{path}': {
    parameters: [bucket, object],
    post: { tags, operationId: 'storage_create_signed_upload_url', summary: 'Create a signed upload URL', security: security.user, responses: { 200: json(obj({ url: str(), token: str() })), ...errors } },
    put: {
      tags, operationId: 'storage_signed_upload', summary: 'Upload with a signed upload URL\'s token', security: security.none,
      parameters: [query('token', str(), undefined, true)], requestBody: upload, responses: { 200: uploaded, ...errors },
    },
  },
};
