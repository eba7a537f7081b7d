import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A presigned request a client can make without holding any storage credential. */
export interface PresignedRequest {
  method: 'PUT' | 'GET';
  url: string;
  headers: Record<string, string>;
}

/**
 * Object storage for bundles and artifacts, behind one interface with two drivers: `fs` (embedded: files under
 * the data directory, URLs signed with HMAC and served by the API itself) and `s3` (any S3-compatible store,
 * presigned URLs). Keys are `/`-separated; neither driver accepts a key that could leave its root.
 */
export interface ObjectStorage {
  readonly kind: 'fs' | 's3';
  readonly description: string;
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** Size of an object, or undefined when it does not exist. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** SHA-256 (hex) of an object's bytes, streamed. */
  sha256(key: string): Promise<string>;
  /** Moves an object to another key (a copy and a delete where the store cannot rename). */
  move(from: string, to: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Up to `limit` objects whose key starts with `prefix` (a folder, ending in `/`), with when each was written. */
  list(prefix: string, limit: number): Promise<StoredObject[]>;
  presignPut(key: string, expiresInSeconds: number, contentType: string): Promise<PresignedRequest>;
  presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest>;
  /** A cheap round trip for /health/deep. */
  check(): Promise<void>;
}

/** One object of a listing. */
export interface StoredObject {
  key: string;
  size: number;
  modifiedAt: Date;
}

/**
 * Whether an error means the storage has no space left: ENOSPC or EDQUOT from the filesystem (anywhere in the cause
 * chain), PostgreSQL's disk_full (53100), or an S3-compatible store answering 507 Insufficient Storage (MinIO's
 * XMinioStorageFull). Callers turn it into `storage_full`.
 */
export function isStorageFull(err: unknown): boolean {
  for (
    let e = err as
        { code?: unknown; name?: unknown; cause?: unknown; $metadata?: { httpStatusCode?: number } } | undefined,
      depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === '53100') return true;
    if (e.name === 'XMinioStorageFull' || e.$metadata?.httpStatusCode === 507) return true;
  }
  return false;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Throws unless `key` is a safe object key (no `..`, no leading `/`, a small alphabet). */
export function assertKey(key: string): string {
  if (key.length > 512 || !KEY_PATTERN.test(key) || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
  }
  return key;
}

// ---------------------------------------------------------------- fs driver

/** What a signed local-storage URL authorizes. */
export interface FsSignature {
  method: 'PUT' | 'GET';
  key: string;
  expires: number;
}

/** HMAC-signed URLs for the fs driver; verified in constant time by the route that serves them. */
export class FsUrlSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly baseUrl: () => string,
  ) {}

  private mac(s: FsSignature): string {
    return crypto.createHmac('sha256', this.secret).update(`${s.method}\n${s.key}\n${s.expires}`).digest('base64url');
  }

  url(s: FsSignature): string {
    const q = new URLSearchParams({ method: s.method, expires: String(s.expires), signature: this.mac(s) });
    return `${this.baseUrl()}/storage/${s.key.split('/').map(encodeURIComponent).join('/')}?${q}`;
  }

  /** Whether `signature` authorizes `method` on `key` now. */
  verify(s: FsSignature, signature: string, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    const expected = Buffer.from(this.mac(s));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'invalid';
    return s.expires * 1000 < now ? 'expired' : 'ok';
  }
}

/** The local-files driver, with what only the routes serving its signed URLs need. */
export interface FsStorage extends ObjectStorage {
  readonly kind: 'fs';
  readonly signer: FsUrlSigner;
  /** Absolute path of an object. */
  file(key: string): string;
  /** Streams a body into an object; false (and nothing stored) when it exceeds `maxBytes`. */
  putStream(key: string, body: Readable, maxBytes: number): Promise<boolean>;
}

/** Object storage on the local filesystem. */
export function createFsStorage(root: string, signer: FsUrlSigner): FsStorage {
  const file = (key: string) => path.join(root, assertKey(key));
  const expires = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;
  return {
    kind: 'fs',
    description: `local files at ${root}`,
    signer,
    file,
    async putStream(key, body, maxBytes) {
      const target = file(key);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      let size = 0;
      let tooLarge = false;
      // Written to a temporary name and renamed when complete: a failure (a full disk, a dropped connection) or an
      // upload above the limit leaves nothing behind, neither under the key nor as the temporary file.
      try {
        const handle = await fs.open(tmp, 'w', 0o600);
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            size += chunk.length;
            if (size > maxBytes) {
              tooLarge = true;
              break;
            }
            // write() may store only part of a chunk (a filling disk does that before it answers ENOSPC): write
            // the rest until it is all on disk or the filesystem refuses.
            for (let at = 0; at < chunk.length;) {
              at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
            }
          }
        } finally {
          await handle.close();
        }
        if (tooLarge) {
          await fs.rm(tmp, { force: true });
          return false;
        }
        await fs.rename(tmp, target);
        return true;
      } catch (err) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
    },
    async put(key, data) {
      const target = file(key);
      await fs.mkdir(path.dirname(target), { recursive: true });
      // Write then rename, so a crash never leaves a half-written object under its final name.
      const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      try {
        await fs.writeFile(tmp, data, { mode: 0o600 });
        await fs.rename(tmp, target);
      } catch (err) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
    },
    async get(key) {
      try {
        return await fs.readFile(file(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async head(key) {
      const stat = await fs.stat(file(key)).catch(() => undefined);
      return stat?.isFile() ? { size: stat.size } : undefined;
    },
    async sha256(key) {
      const hash = crypto.createHash('sha256');
      await pipeline(createReadStream(file(key)), hash);
      return hash.digest('hex');
    },
    async move(from, to) {
      const target = file(to);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(file(from), target);
    },
    async delete(key) {
      await fs.rm(file(key), { force: true });
    },
    async list(prefix, limit) {
      const found: StoredObject[] = [];
      const walk = async (dir: string, keyPrefix: string): Promise<void> => {
        const entries = await fs.readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return [];
          throw err;
        });
        for (const entry of entries) {
          if (found.length >= limit) return;
          const key = `${keyPrefix}${entry.name}`;
          if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${key}/`);
          else if (entry.isFile()) {
            const stat = await fs.stat(path.join(dir, entry.name)).catch(() => undefined);
            if (stat) found.push({ key, size: stat.size, modifiedAt: stat.mtime });
          }
        }
      };
      await walk(path.join(root, assertKey(prefix.replace(/\/$/, ''))), prefix.endsWith('/') ? prefix : `${prefix}/`);
      return found;
    },
    async presignPut(key, seconds, contentType) {
      return {
        method: 'PUT',
        url: signer.url({ method: 'PUT', key: assertKey(key), expires: expires(seconds) }),
        headers: { 'content-type': contentType },
      };
    },
    async presignGet(key, seconds) {
      return {
        method: 'GET',
        url: signer.url({ method: 'GET', key: assertKey(key), expires: expires(seconds) }),
        headers: {},
      };
    },
    async check() {
      const key = `health/probe-${process.pid}-${Date.now()}`;
      await this.put(key, Buffer.from('ok'));
      const back = await this.get(key);
      await this.delete(key);
      if (back?.toString() !== 'ok') throw new Error('read back a different object');
    },
  };
}

// ---------------------------------------------------------------- s3 driver

/** Settings of an S3-compatible store. */
export interface S3Settings {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/**
 * Object storage on S3 or any S3-compatible store (R2, MinIO, Linode); clients get presigned URLs only. The AWS SDK
 * (~25 MB) is loaded only when S3 is configured.
 */
export async function createS3Storage(settings: S3Settings): Promise<ObjectStorage> {
  const {
    CopyObjectCommand,
    CreateBucketCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    HeadBucketCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    S3Client,
  } = await import('@aws-sdk/client-s3');
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // Checksums only where S3 requires them. By default the SDK signs a CRC32 of the body into every PutObject, and
    // a presigned PUT has no body yet: its URL would carry the checksum of zero bytes, and S3, R2 and MinIO refuse
    // every real upload to it (BadDigest).
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const Bucket = settings.bucket;
  const notFound = (err: unknown) => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
  };
  let bucketReady: Promise<void> | undefined;
  const ensureBucket = () =>
    (bucketReady ??= client
      .send(new HeadBucketCommand({ Bucket }))
      .then(() => undefined)
      .catch(async (err) => {
        if (!notFound(err)) throw err;
        await client.send(new CreateBucketCommand({ Bucket }));
      })
      .catch((err) => {
        bucketReady = undefined;
        throw err;
      }));
  const storage: ObjectStorage = {
    kind: 's3',
    description: `S3 bucket ${Bucket}${settings.endpoint ? ` at ${new URL(settings.endpoint).host}` : ''}`,
    async put(key, data) {
      await ensureBucket();
      await client.send(new PutObjectCommand({ Bucket, Key: assertKey(key), Body: data }));
    },
    async get(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: assertKey(key) }));
        return Buffer.from(await res.Body!.transformToByteArray());
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    },
    async head(key) {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: assertKey(key) }));
        return { size: res.ContentLength ?? 0 };
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    },
    async sha256(key) {
      const res = await client.send(new GetObjectCommand({ Bucket, Key: assertKey(key) }));
      const hash = crypto.createHash('sha256');
      await pipeline(res.Body as Readable, hash);
      return hash.digest('hex');
    },
    async move(from, to) {
      await client.send(
        new CopyObjectCommand({ Bucket, Key: assertKey(to), CopySource: `${Bucket}/${assertKey(from)}` }),
      );
      await client.send(new DeleteObjectCommand({ Bucket, Key: from }));
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: assertKey(key) }));
    },
    async list(prefix, limit) {
      await ensureBucket();
      const found: StoredObject[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket,
            Prefix: prefix,
            MaxKeys: Math.min(1000, limit - found.length),
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key) found.push({ key: o.Key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token && found.length < limit);
      return found;
    },
    async presignPut(key, seconds, contentType) {
      await ensureBucket();
      const url = await getSignedUrl(
        client,
        new PutObjectCommand({ Bucket, Key: assertKey(key), ContentType: contentType }),
        { expiresIn: seconds },
      );
      return { method: 'PUT', url, headers: { 'content-type': contentType } };
    },
    async presignGet(key, seconds) {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key: assertKey(key) }), {
        expiresIn: seconds,
      });
      return { method: 'GET', url, headers: {} };
    },
    async check() {
      await ensureBucket();
      const key = `health/probe-${process.pid}-${Date.now()}`;
      await storage.put(key, Buffer.from('ok'));
      await storage.delete(key);
    },
  };
  return storage;
}
