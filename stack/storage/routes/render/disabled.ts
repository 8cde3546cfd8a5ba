import type { StorageApi } from '../../context.js';
import { ERRORS } from '../../errors.js';

/** With `[storage.image_transformation]` off, every render route answers FeatureNotEnabled (the routes above are then not mounted). */
export function mount(api: StorageApi): void {
  api.all('/render/image/*', () => {
    throw ERRORS.featureNotEnabled('imageTransformation');
  });
}
