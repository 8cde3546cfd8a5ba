import type { OpenAPIV3 } from 'openapi-types';

/**
 * One PathsObject from the fragments each route keeps beside its handler: operations of the same
 * path from different files go into one path item. Two fragments describing the same operation
 * is a mistake, refused here rather than one silently hiding the other.
 */
export function mergePaths(fragments: OpenAPIV3.PathsObject[]): OpenAPIV3.PathsObject {
  const merged: OpenAPIV3.PathsObject = {};
  for (const fragment of fragments) {
    for (const [path, item] of Object.entries(fragment)) {
      const into = (merged[path] ??= {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(item ?? {})) {
        if (key in into) throw new Error(`OpenAPI: ${key} ${path} is described twice`);
        into[key] = value;
      }
    }
  }
  return merged;
}
