import { createS3Storage, type FsStorage, type ObjectStorage, type S3Settings } from './storage.js';

/**
 * The object store's buckets beyond `previews` (bundles, the store every process already has): `artifacts` (source
 * blobs of server-side builds, AI patches and large results) and `ai-logs` (AI jobs' prompts and raw outputs). With
 * S3 each is a bucket of its own (S3_ARTIFACTS_BUCKET, S3_AI_LOGS_BUCKET; created on first use when missing); with
 * local files each is a folder of the same root, served by the same signed URLs.
 */
export interface Buckets {
  artifacts: ObjectStorage;
  aiLogs: ObjectStorage;
}

/** Opens the buckets: S3 ones from `s3` settings, else folders of the local-files store `fs`. */
export async function openBuckets(
  s3: (S3Settings & { artifactsBucket: string; aiLogsBucket: string }) | undefined,
  fs: FsStorage | undefined,
): Promise<Buckets> {
  if (s3) {
    return {
      artifacts: await createS3Storage({ ...s3, bucket: s3.artifactsBucket }),
      aiLogs: await createS3Storage({ ...s3, bucket: s3.aiLogsBucket }),
    };
  }
  if (!fs) throw new Error('object storage: neither S3 settings nor a local store');
  return { artifacts: folderOf(fs, 'artifacts'), aiLogs: folderOf(fs, 'ai-logs') };
}

/** A bucket that is a folder of the local-files store: keys are the same, stored under `<folder>/`. */
export function folderOf(fs: FsStorage, folder: string): ObjectStorage {
  const prefix = `${folder}/`;
  const k = (key: string) => `${prefix}${key}`;
  return {
    kind: 'fs',
    description: `${fs.description} (${prefix})`,
    put: (key, data) => fs.put(k(key), data),
    get: (key) => fs.get(k(key)),
    head: (key) => fs.head(k(key)),
    sha256: (key) => fs.sha256(k(key)),
    move: (from, to) => fs.move(k(from), k(to)),
    delete: (key) => fs.delete(k(key)),
    list: async (p, limit) => (await fs.list(k(p), limit)).map((o) => ({ ...o, key: o.key.slice(prefix.length) })),
    presignPut: (key, seconds, contentType) => fs.presignPut(k(key), seconds, contentType),
    presignGet: (key, seconds) => fs.presignGet(k(key), seconds),
    check: () => fs.check(),
  };
}
