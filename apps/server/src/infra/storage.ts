import fs from 'node:fs/promises';
import path from 'node:path';

/** Object storage for bundles and artifacts. The embedded driver keeps objects as files under the data directory. */
export interface ObjectStorage {
  readonly description: string;
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Object storage on the local filesystem. Keys are checked so that no key can name a file outside the root. */
export function createFsStorage(root: string): ObjectStorage {
  const resolve = (key: string) => {
    if (!KEY_PATTERN.test(key) || key.split('/').some((p) => p === '..' || p === '.')) {
      throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
    }
    return path.join(root, key);
  };
  return {
    description: `local files at ${root}`,
    async put(key, data) {
      const file = resolve(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Write then rename, so a crash never leaves a half-written object under its final name.
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(tmp, data, { mode: 0o600 });
      await fs.rename(tmp, file);
    },
    async get(key) {
      try {
        return await fs.readFile(resolve(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async delete(key) {
      await fs.rm(resolve(key), { force: true });
    },
  };
}
