import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createProject, registerUser, startTestServer, type TestServer } from '../../test/harness.js';
import { filesUnder, mountTmpfs, type Tmpfs } from '../../test/tmpfs.js';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/**
 * Preview uploads into a full disk, on a real filesystem: the local-files driver's object directory is a 1 MiB tmpfs.
 * An upload that does not fit answers 507 `storage_full` and leaves nothing: no object, no temporary file, and a
 * preview that is still waiting for its bundle (its row changes only once a complete, checked bundle is there).
 */
describe.each(backends())('preview uploads into a full disk on $name', (backend) => {
  let server: TestServer;
  let owner: { token: string };
  let projectId: string;
  let disk: Tmpfs | undefined;
  let skipped: string | undefined;

  beforeAll(async () => {
    server = await startTestServer(backend, {
      HIVESYNC_PREVIEW_MAX_BUNDLE_BYTES: String(8 * 1024 * 1024),
      HIVESYNC_MIN_FREE_DISK_MB: '0',
    });
    owner = await registerUser(server);
    projectId = (await createProject(server, owner.token, 'full')).id;
    const mounted = mountTmpfs(path.join(server.dataDir, 'objects'), 1024 * 1024);
    if ('unavailable' in mounted) {
      skipped = mounted.unavailable;
      console.log(`skipping the disk-full upload tests: ${skipped}`);
    } else disk = mounted;
  });
  afterAll(async () => {
    disk?.unmount();
    await server?.stop();
  });

  const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token: owner.token, body });

  async function upload(bundle: Buffer) {
    const created = await api('POST', '/previews', {
      project_id: projectId,
      platform: 'web',
      sha256: sha(bundle),
      size: bundle.length,
    });
    expect(created.statusCode, created.body).toBe(201);
    const { preview_id, upload: target } = created.json();
    const url = new URL(target.url);
    const put = await server.runtime.app!.inject({
      method: 'PUT',
      url: url.pathname + url.search,
      headers: target.headers,
      payload: bundle,
    });
    return { previewId: preview_id as string, put };
  }

  it('answers 507 storage_full to an upload that does not fit, and keeps no part of it', async (ctx) => {
    if (skipped) return ctx.skip();
    const bundle = crypto.randomBytes(1536 * 1024);
    const { previewId, put } = await upload(bundle);
    expect(put.statusCode, put.body).toBe(507);
    expect(put.json().error).toMatchObject({ code: 'storage_full', retryable: false });
    expect(put.body).not.toContain(server.dataDir);

    // No object and no temporary file; the disk's space is free again.
    expect(filesUnder(disk!.dir)).toEqual([]);
    expect(disk!.used()).toBeLessThan(64 * 1024);
    // The preview still waits for its bundle, and cannot be completed with what did not fit.
    expect((await api('GET', `/previews/${previewId}`)).json().status).toBe('pending_upload');
    const complete = await api('POST', `/previews/${previewId}/complete`, { sha256: sha(bundle), size: bundle.length });
    expect(complete.statusCode).toBe(409);
    expect((await api('GET', `/previews/${previewId}`)).json().status).toBe('pending_upload');

    // A bundle that fits goes through on the same disk.
    const small = crypto.randomBytes(64 * 1024);
    const ok = await upload(small);
    expect(ok.put.statusCode, ok.put.body).toBe(200);
    const done = await api('POST', `/previews/${ok.previewId}/complete`, { sha256: sha(small), size: small.length });
    expect(done.json()).toMatchObject({ status: 'ready', size: small.length });
  });

  it("fails the driver's whole-object write into a full disk with ENOSPC, and leaves no file", async (ctx) => {
    if (skipped) return ctx.skip();
    // The driver's whole-object write (bundles built on the server, the health probe) leaves nothing either.
    const storage = server.runtime.infra.storage;
    await expect(storage.put('probe/too-big', crypto.randomBytes(2 * 1024 * 1024))).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    expect(filesUnder(path.join(disk!.dir, 'probe'))).toEqual([]);
  });
});
