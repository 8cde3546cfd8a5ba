import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { ERRORS } from '../errors.js';
import { transformImage, type Target } from './image.js';
import { transformationsString, type TransformOptions } from './options.js';

export interface Variant {
  path: string;
  size: number;
  format: string;
}

/**
 * Transformed images on disk: `<root>/<object version>/<hash of options and target>.<format>`.
 * Object versions are immutable (a change is a new version), so a variant never goes stale; the
 * folder goes when its version's bytes do (BlobStore.remove). At most four transforms run at a
 * time, and identical requests in flight share one.
 */
export class VariantCache {
  // sharp works on libuv's thread pool (four threads unless UV_THREADPOOL_SIZE says otherwise):
  // more transforms at once would only queue there while holding their memory.
  private readonly limit = pLimit(4);
  private readonly inFlight = new Map<string, Promise<Variant>>();

  constructor(readonly root: string) {}

  static dirOf(root: string, version: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(version)) throw ERRORS.internal('invalid object version');
    return path.join(root, version);
  }

  private async cached(dir: string, key: string): Promise<Variant | null> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return null;
    }
    const name = names.find((n) => n.startsWith(`${key}.`));
    if (!name) return null;
    const file = path.join(dir, name);
    try {
      return { path: file, size: (await stat(file)).size, format: name.slice(key.length + 1) };
    } catch {
      return null;
    }
  }

  /** The variant of `version` for these options, made (and kept) on first request. */
  async get(version: string, sourcePath: string, sourceSize: number, options: TransformOptions, target: Target): Promise<Variant> {
    const dir = VariantCache.dirOf(this.root, version);
    const key = createHash('sha256').update(`${transformationsString(options)}|${target}`).digest('hex').slice(0, 32);
    const hit = await this.cached(dir, key);
    if (hit) return hit;
    const flightKey = `${version}/${key}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = this.limit(async () => {
        const { data, format } = await transformImage(sourcePath, sourceSize, options, target);
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, `${key}.${format}`);
        // Written aside and renamed, so a reader never sees half a file.
        const temp = path.join(dir, `.${randomUUID()}`);
        await writeFile(temp, data);
        await rename(temp, file);
        return { path: file, size: data.length, format };
      }).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  async remove(version: string): Promise<void> {
    await rm(VariantCache.dirOf(this.root, version), { recursive: true, force: true });
  }
}
