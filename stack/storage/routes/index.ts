import type { OpenAPIV3 } from 'openapi-types';
import { storageSettings } from '../../config/storage.js';
import type { StorageApi, StorageDeps } from '../context.js';
import { VariantCache } from '../transform/variants.js';
import * as createBucket from './bucket/create.js';
import * as deleteBucket from './bucket/delete.js';
import * as emptyBucket from './bucket/empty.js';
import * as getBucket from './bucket/get.js';
import * as listBuckets from './bucket/list.js';
import * as updateBucket from './bucket/update.js';
import * as copyObject from './object/copy.js';
import * as deleteManyObjects from './object/delete-many.js';
import * as deleteObject from './object/delete.js';
import * as downloadAuthenticated from './object/download-authenticated.js';
import * as downloadPublic from './object/download-public.js';
import * as downloadSigned from './object/download-signed.js';
import * as download from './object/download.js';
import * as infoAuthenticated from './object/info-authenticated.js';
import * as infoPublic from './object/info-public.js';
import * as info from './object/info.js';
import * as listObjectsV2 from './object/list-v2.js';
import * as listObjects from './object/list.js';
import * as moveObject from './object/move.js';
import * as uploadWithoutKey from './object/no-key.js';
import * as signUploadUrl from './object/sign-upload-url.js';
import * as signUrl from './object/sign-url.js';
import * as signUrls from './object/sign-urls.js';
import * as updateObject from './object/update.js';
import * as uploadSigned from './object/upload-signed.js';
import * as uploadObject from './object/upload.js';
import * as renderAuthenticated from './render/authenticated.js';
import * as renderDisabled from './render/disabled.js';
import * as renderPublic from './render/public.js';
import * as renderSigned from './render/signed.js';
import * as cancelResumable from './resumable/cancel.js';
import * as createResumable from './resumable/create.js';
import * as resumableOptions from './resumable/options.js';
import * as resumableStatus from './resumable/status.js';
import * as uploadPart from './resumable/upload-part.js';
import { startResumableUploads } from './resumable/uploads.js';

/**
 * Mounts every storage endpoint. The order is the matching order: a route listed first wins
 * over a wider one below it that matches the same URL (`/object/sign/...` before
 * `/object/:bucket/*`, `/object/info/public/...` before `/object/info/:bucket/*`).
 */
export function mountRoutes(api: StorageApi, deps: StorageDeps, onClose: (fn: () => void) => void): void {
  listBuckets.mount(api, deps);
  getBucket.mount(api, deps);
  createBucket.mount(api, deps);
  updateBucket.mount(api, deps);
  emptyBucket.mount(api, deps);
  deleteBucket.mount(api, deps);

  signUrl.mount(api, deps);
  signUrls.mount(api, deps);
  signUploadUrl.mount(api, deps);
  listObjectsV2.mount(api, deps);
  listObjects.mount(api, deps);
  moveObject.mount(api, deps);
  copyObject.mount(api, deps);
  deleteManyObjects.mount(api, deps);
  deleteObject.mount(api, deps);

  uploadSigned.mount(api, deps);
  uploadObject.mount(api, deps);
  updateObject.mount(api, deps);
  uploadWithoutKey.mount(api);

  downloadPublic.mount(api, deps);
  downloadSigned.mount(api, deps);
  infoPublic.mount(api, deps);
  infoAuthenticated.mount(api, deps);
  info.mount(api, deps);
  downloadAuthenticated.mount(api, deps);
  download.mount(api, deps);

  const settings = storageSettings(deps.config);
  if (settings.imageTransformation) {
    const variants = new VariantCache(deps.blobs.variantDir, settings.threadPoolSize);
    renderPublic.mount(api, deps, variants);
    renderAuthenticated.mount(api, deps, variants);
    renderSigned.mount(api, deps, variants);
  } else {
    renderDisabled.mount(api);
  }

  const tus = startResumableUploads(deps, onClose);
  resumableOptions.mount(api, tus);
  createResumable.mount(api, deps, tus);
  resumableStatus.mount(api, deps, tus);
  uploadPart.mount(api, deps, tus);
  cancelResumable.mount(api, deps, tus);
}

/** Each endpoint's OpenAPI fragment, for stack/docs to assemble. */
export const ROUTE_DOCS: OpenAPIV3.PathsObject[] = [
  listBuckets, getBucket, createBucket, updateBucket, emptyBucket, deleteBucket,
  signUrl, signUrls, signUploadUrl, listObjectsV2, listObjects, moveObject, copyObject, deleteManyObjects, deleteObject,
  uploadSigned, uploadObject, updateObject, uploadWithoutKey,
  downloadPublic, downloadSigned, infoPublic, infoAuthenticated, info, downloadAuthenticated, download,
  renderPublic, renderAuthenticated, renderSigned,
  resumableOptions, createResumable, resumableStatus, uploadPart, cancelResumable,
].map((endpoint) => endpoint.paths);

export { storageSchemas } from './openapi.js';
