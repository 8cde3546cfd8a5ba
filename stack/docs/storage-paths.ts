import { ROUTE_DOCS, storageSchemas } from '../storage/routes/index.js';
import { mergePaths } from './merge-paths.js';

// Storage's routes document themselves beside their handlers (stack/storage/routes/); here they become one paths object.
export const storagePaths = mergePaths(ROUTE_DOCS);
export { storageSchemas };
