import type { Context } from 'hono';

/**
 * Storage's names for what a request does (ROUTE_OPERATIONS in supabase/storage), set as
 * `storage.operation` in each request's transaction so policies can read storage.operation().
 */
export const OPERATIONS = {
  createBucket: 'storage.bucket.create',
  deleteBucket: 'storage.bucket.delete',
  emptyBucket: 'storage.bucket.empty',
  listBuckets: 'storage.bucket.list',
  getBucket: 'storage.bucket.get',
  updateBucket: 'storage.bucket.update',
  copyObject: 'storage.object.copy',
  createObject: 'storage.object.upload',
  deleteObject: 'storage.object.delete',
  deleteObjects: 'storage.object.delete_many',
  getPublicObject: 'storage.object.get_public',
  getAuthObject: 'storage.object.get_authenticated',
  infoAuthObject: 'storage.object.info_authenticated',
  infoPublicObject: 'storage.object.info_public',
  getSignedObject: 'storage.object.get_signed',
  signUploadUrl: 'storage.object.sign_upload_url',
  signObjectUrl: 'storage.object.sign',
  signObjectUrls: 'storage.object.sign_many',
  listObjects: 'storage.object.list',
  listObjectsV2: 'storage.object.list_v2',
  moveObject: 'storage.object.move',
  updateObject: 'storage.object.upload_update',
  uploadSignedObject: 'storage.object.upload_signed',
  renderAuthImage: 'storage.render.image_authenticated',
  renderPublicImage: 'storage.render.image_public',
  renderSignedImage: 'storage.render.image_sign',
  tusCreateUpload: 'storage.tus.upload.create',
  tusUploadPart: 'storage.tus.upload.part',
  tusGetUpload: 'storage.tus.upload.get',
  tusDeleteUpload: 'storage.tus.upload.delete',
  tusOptions: 'storage.tus.options',
} as const;

const names = new WeakMap<Request, string>();

/** Names the operation of this request (call first thing in a route). */
export function operation(c: Context, name: string): void {
  names.set(c.req.raw, name);
}

export function operationOf(c: Context): string {
  return names.get(c.req.raw) ?? '';
}

/** Wraps a route handler so its request carries Storage's operation name. */
export function named<C extends Context, R>(name: string, handler: (c: C) => R): (c: C) => R {
  return (c) => {
    operation(c, name);
    return handler(c);
  };
}
