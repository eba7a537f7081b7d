import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { tempDir } from './harness.js';

const require = createRequire(import.meta.url);

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface KoaContext {
  path: string;
  params: { bucket?: string; key?: string };
}

/**
 * The one place where @20minutes/s3rver 4.0 does not canonicalize a request as S3 does: a bucket-level request
 * (HeadBucket, CreateBucket, ListObjectsV2) whose path ends in `/` (`/bucket/`, as the AWS SDK sends it path-style)
 * is canonicalized as `/bucket`, so its correct signature is refused. Its authentication middleware is wrapped so
 * that it sees the path as sent; everything else (object requests, every presigned URL) is verified untouched.
 * Must run before the server's routes are first loaded, which capture the middleware.
 */
function canonicalizeBucketPaths(): void {
  const authPath = require.resolve('@20minutes/s3rver/lib/middleware/authentication.js');
  const routesPath = require.resolve('@20minutes/s3rver/lib/routes.js');
  const auth = require(authPath) as (() => Middleware) & { bucketPathsFixed?: true };
  if (auth.bucketPathsFixed) return;
  if (require.cache[routesPath]) throw new Error('s3rver was loaded before its authentication could be wrapped');
  const wrapped = Object.assign(
    () => {
      const inner = auth();
      return async (ctx: KoaContext, next: () => Promise<void>) => {
        const bucket = ctx.params.bucket;
        if (!bucket || ctx.params.key || !ctx.path.endsWith(`/${bucket}/`)) return inner(ctx, next);
        ctx.params.bucket = `${bucket}/`;
        let restored = false;
        const restore = () => {
          if (!restored) ctx.params.bucket = bucket;
          restored = true;
        };
        try {
          await inner(ctx, () => {
            restore();
            return next();
          });
        } finally {
          restore();
        }
      };
    },
    { bucketPathsFixed: true as const },
  );
  require.cache[authPath]!.exports = wrapped;
}

/**
 * A real S3-compatible server on loopback for the s3 storage driver's tests: @20minutes/s3rver, the maintained fork
 * of s3rver that verifies AWS Signature Version 4 (headers and presigned query strings; the original s3rver 3.x
 * accepts any V4 signature). Signatures are checked (`allowMismatchedSignatures: false`) against a key pair made
 * for this server, with a random secret: a request signed with anything else, a URL whose key, expiry or signature
 * was changed, or an expired URL gets 403.
 */
export async function startS3(): Promise<{
  env: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop: () => Promise<void>;
}> {
  canonicalizeBucketPaths();
  const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => {
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
  };
  const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: S3rverAccount };
  const accessKeyId = `HSTEST${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = `test-secret-never-in-urls-${crypto.randomBytes(16).toString('hex')}`;
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const dir = tempDir('hivesync-s3-');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.dir,
    allowMismatchedSignatures: false,
  });
  const { port } = await server.run();
  return {
    env: {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_BUCKET: 'hivesync-test',
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
    },
    credentials: { accessKeyId, secretAccessKey },
    async stop() {
      await server.close();
      DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
      dir.remove();
    },
  };
}
