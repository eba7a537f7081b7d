import { createRequire } from 'node:module';
import { tempDir } from './harness.js';

const require = createRequire(import.meta.url);

/** A real S3-compatible server (s3rver) on loopback for the s3 storage driver's tests. */
export async function startS3(): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
  };
  const dir = tempDir('hivesync-s3-');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.dir,
    allowMismatchedSignatures: true,
  });
  const { port } = await server.run();
  return {
    env: {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_BUCKET: 'hivesync-test',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'test-secret-never-in-urls',
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
    },
    async stop() {
      await server.close();
      dir.remove();
    },
  };
}
