import crypto from 'node:crypto';
import { PREVIEW_CODE_ALPHABET } from '@hivesync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previews as previewsTable } from '../../db/schema.js';
import { eq } from 'drizzle-orm';
import { backends, createProject, registerUser, startTestServer, type TestServer } from '../../test/harness.js';
import { createS3Storage } from '../../infra/storage.js';
import { startS3 } from '../../test/s3.js';
import { PreviewTokens } from './preview-tokens.js';
import { signWorkerCallback } from './worker-signature.js';

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
const WORKER_SECRET = 'w'.repeat(40);

const drivers = ['fs', 's3'] as const;
const matrix = backends().flatMap((backend) =>
  drivers.map((driver) => ({ backend, driver, name: `${backend.name} + ${driver}` })),
);

describe.each(matrix)('previews on $name', ({ backend, driver }) => {
  let server: TestServer;
  let s3: Awaited<ReturnType<typeof startS3>> | undefined;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;

  beforeAll(async () => {
    s3 = driver === 's3' ? await startS3() : undefined;
    server = await startTestServer(backend, {
      ...(s3?.env ?? {}),
      HIVESYNC_PREVIEW_MAX_BUNDLE_BYTES: '4096',
      HIVESYNC_PREVIEW_GRACE_MINUTES: '0',
      // Uploads not completed within 3 s are swept, by the cleanup the tests call (never in the background).
      HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES: '0.05',
      HIVESYNC_PREVIEW_CLEANUP_INTERVAL_SECONDS: '3600',
      HIVESYNC_RESOLVE_LIMIT_PER_IP: '1000',
      WORKER_SHARED_SECRET: WORKER_SECRET,
    });
    owner = await registerUser(server);
    projectId = (await createProject(server, owner.token, 'app')).id;
  });
  afterAll(async () => {
    await server?.stop();
    await s3?.stop();
  });

  const api = (method: 'GET' | 'POST', url: string, token: string | undefined, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });

  /** Follows a presigned URL: through the app for the fs driver (it serves them), over the network for S3. */
  async function presigned(method: 'PUT' | 'GET', url: string, headers: Record<string, string> = {}, body?: Buffer) {
    const u = new URL(url);
    if (u.pathname.startsWith('/storage/')) {
      const res = await server.runtime.app!.inject({
        method,
        url: u.pathname + u.search,
        headers,
        ...(body && { payload: body }),
      });
      return { status: res.statusCode, body: res.rawPayload, json: () => res.json() };
    }
    const res = await fetch(url, { method, headers, ...(body && { body }) });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body: bytes, json: () => JSON.parse(bytes.toString()) };
  }

  async function newPreview(bundle: Buffer, opts: { declare?: boolean; platform?: string } = {}) {
    const res = await api('POST', '/previews', owner.token, {
      project_id: projectId,
      platform: opts.platform ?? 'web',
      ...(opts.declare !== false && { sha256: sha(bundle), size: bundle.length }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  async function readyPreview(bundle: Buffer, platform = 'web') {
    const created = await newPreview(bundle, { platform });
    if (created.upload_required) {
      expect((await presigned('PUT', created.upload.url, created.upload.headers, bundle)).status).toBe(200);
    }
    const done = await api('POST', `/previews/${created.preview_id}/complete`, owner.token, {
      sha256: sha(bundle),
      size: bundle.length,
    });
    expect(done.statusCode, done.body).toBe(200);
    return created;
  }

  it('creates a preview with a typeable code, a token and a presigned upload, then completes and resolves it once', async () => {
    const bundle = Buffer.from(`<!doctype html><h1>hello ${crypto.randomUUID()}</h1>`);
    const created = await newPreview(bundle);
    expect(created).toMatchObject({ status: 'pending_upload', upload_required: true, upload: { method: 'PUT' } });
    expect(created.code).toMatch(new RegExp(`^[${PREVIEW_CODE_ALPHABET}]{8}$`));
    // A presigned URL names the access key id, as S3's do; never the secret.
    expect(created.upload.url).not.toContain('test-secret-never-in-urls');
    expect(new Date(created.expires_at).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);

    expect((await presigned('PUT', created.upload.url, created.upload.headers, bundle)).status).toBe(200);
    const done = await api('POST', `/previews/${created.preview_id}/complete`, owner.token, {
      sha256: sha(bundle),
      size: bundle.length,
    });
    expect(done.json()).toMatchObject({ status: 'ready', sha256: sha(bundle), size: bundle.length });

    const typed = `${created.code.slice(0, 4).toLowerCase()}-${created.code.slice(4)}`;
    const resolved = await api('POST', '/previews/resolve', undefined, { code: typed });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({
      preview_id: created.preview_id,
      project_id: projectId,
      platform: 'web',
      sha256: sha(bundle),
    });
    const download = await presigned('GET', resolved.json().download_url);
    expect(download.status).toBe(200);
    expect(Buffer.compare(download.body, bundle)).toBe(0);

    const again = await api('POST', '/previews/resolve', undefined, { code: created.code });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('preview_token_consumed');
    const byToken = await api('POST', '/previews/resolve', undefined, { token: created.token });
    expect(byToken.json().error.code).toBe('preview_token_consumed');
    expect((await api('GET', `/previews/${created.preview_id}`, owner.token)).json().status).toBe('consumed');

    const notes = (await api('GET', '/notifications?limit=200', owner.token))
      .json()
      .notifications.filter((n: { payload: { preview_id?: string } }) => n.payload.preview_id === created.preview_id);
    expect(notes.map((n: { type: string }) => n.type)).toEqual([
      'preview_token_created',
      'preview_bundle_uploaded',
      'preview_ready',
      'preview_consumed',
    ]);
    const raw = JSON.stringify(notes);
    expect(raw).not.toContain(created.code);
    expect(raw).not.toContain(created.token);
  });

  it('resolves by token once, and refuses forged, foreign and expired tokens', async () => {
    const created = await readyPreview(Buffer.from(`token ${crypto.randomUUID()}`));
    const [h, p, s] = created.token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString('base64url')}.${s}`;
    expect((await api('POST', '/previews/resolve', undefined, { token: forged })).statusCode).toBe(404);
    const foreign = await new PreviewTokens(crypto.randomBytes(32)).sign({
      previewId: created.preview_id,
      projectId,
      bundleSha256: null,
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect((await api('POST', '/previews/resolve', undefined, { token: foreign })).statusCode).toBe(404);
    const expired = await new PreviewTokens(server.runtime.infra.previewKey).sign({
      previewId: created.preview_id,
      projectId,
      bundleSha256: null,
      expiresAt: new Date(Date.now() - 1000),
    });
    const exp = await api('POST', '/previews/resolve', undefined, { token: expired });
    expect(exp.statusCode).toBe(410);
    expect(exp.json().error.code).toBe('preview_token_expired');
    expect((await api('POST', '/previews/resolve', undefined, { token: created.token })).statusCode).toBe(200);
  });

  it('refuses a code or token resolved from another platform without using it, then resolves it on its own', async () => {
    const created = await readyPreview(Buffer.from(`ios ${crypto.randomUUID()}`), 'ios');

    const fromWeb = await api('POST', '/previews/resolve', undefined, { code: created.code, platform: 'web' });
    expect(fromWeb.statusCode, fromWeb.body).toBe(409);
    expect(fromWeb.json().error).toMatchObject({
      code: 'preview_platform_mismatch',
      retryable: false,
      details: { platform: 'ios', requested_platform: 'web' },
    });
    const byToken = await api('POST', '/previews/resolve', undefined, { token: created.token, platform: 'android' });
    expect(byToken.json().error.code).toBe('preview_platform_mismatch');
    expect((await api('GET', `/previews/${created.preview_id}`, owner.token)).json().status).toBe('ready');

    const fromIos = await api('POST', '/previews/resolve', undefined, { code: created.code, platform: 'ios' });
    expect(fromIos.statusCode, fromIos.body).toBe(200);
    expect(fromIos.json()).toMatchObject({ preview_id: created.preview_id, platform: 'ios' });
    // Once used, the answer is the same for every platform: used.
    const after = await api('POST', '/previews/resolve', undefined, { code: created.code, platform: 'web' });
    expect(after.json().error.code).toBe('preview_token_consumed');
    const bad = await api('POST', '/previews/resolve', undefined, { code: created.code, platform: 'windows' });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 404 to unknown or impossible codes and 410 to expired ones', async () => {
    expect((await api('POST', '/previews/resolve', undefined, { code: 'ZZZZZZZZ' })).statusCode).toBe(404);
    expect((await api('POST', '/previews/resolve', undefined, { code: 'O0I1L000' })).statusCode).toBe(404);
    const created = await readyPreview(Buffer.from(`expire ${crypto.randomUUID()}`));
    await server.runtime.infra.db.orm
      .update(previewsTable)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(previewsTable.id, created.preview_id));
    const res = await api('POST', '/previews/resolve', undefined, { code: created.code });
    expect(res.statusCode).toBe(410);
    expect(res.json().error.code).toBe('preview_token_expired');
  });

  it('refuses a completion that does not match the upload, and removes the upload', async () => {
    const bundle = Buffer.from(`real ${crypto.randomUUID()}`);
    const nothing = await newPreview(bundle);
    const early = await api('POST', `/previews/${nothing.preview_id}/complete`, owner.token, {
      sha256: sha(bundle),
      size: bundle.length,
    });
    expect(early.statusCode).toBe(409);

    const tampered = Buffer.from(`fake ${crypto.randomUUID()}`);
    const a = await newPreview(bundle);
    await presigned('PUT', a.upload.url, a.upload.headers, tampered);
    const mismatch = await api('POST', `/previews/${a.preview_id}/complete`, owner.token, {
      sha256: sha(bundle),
      size: bundle.length,
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().error.message).toMatch(/^sha256:/);
    expect(await server.runtime.infra.storage.head(`uploads/${projectId}/${a.preview_id}`)).toBeUndefined();

    const b = await newPreview(bundle, { declare: false });
    await presigned('PUT', b.upload.url, b.upload.headers, bundle);
    const size = await api('POST', `/previews/${b.preview_id}/complete`, owner.token, {
      sha256: sha(bundle),
      size: bundle.length + 1,
    });
    expect(size.statusCode).toBe(400);
    expect(size.json().error.message).toMatch(/^size:/);
  });

  it('takes one upload per URL: after complete the URL is refused (fs) or its object is never used (S3)', async () => {
    const bundle = Buffer.from(`once ${crypto.randomUUID()}`);
    const created = await readyPreview(bundle);
    const other = Buffer.from(`swapped ${crypto.randomUUID()}`);
    const again = await presigned('PUT', created.upload.url, created.upload.headers, other);
    if (driver === 'fs') {
      expect(again.status).toBe(409);
      expect(again.json().error).toMatchObject({ code: 'conflict', retryable: false });
      expect(again.json().error.message).toMatch(/already used: the preview is ready/);
      expect(await server.runtime.infra.storage.head(`uploads/${projectId}/${created.preview_id}`)).toBeUndefined();
    }
    // Whatever reached storage, the preview serves the bytes that were checked at complete.
    const resolved = await api('POST', '/previews/resolve', undefined, { code: created.code });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json().sha256).toBe(sha(bundle));
    const download = await presigned('GET', resolved.json().download_url);
    expect(Buffer.compare(download.body, bundle)).toBe(0);
    // A second complete cannot adopt the new object either.
    const second = await api('POST', `/previews/${created.preview_id}/complete`, owner.token, {
      sha256: sha(other),
      size: other.length,
    });
    expect(second.statusCode).toBe(409);
  });

  it.runIf(driver === 'fs')('refuses uploads to a URL whose preview expired (410)', async () => {
    const created = await newPreview(Buffer.from(`late ${crypto.randomUUID()}`));
    await server.runtime.infra.db.orm
      .update(previewsTable)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(previewsTable.id, created.preview_id));
    const put = await presigned('PUT', created.upload.url, created.upload.headers, Buffer.from('late'));
    expect(put.status).toBe(410);
    expect(put.json().error.code).toBe('preview_token_expired');
  });

  it('sweeps uploads never completed once they are older than HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES', async () => {
    const { storage } = server.runtime.infra;
    const abandonedBundle = Buffer.from(`abandoned ${crypto.randomUUID()}`);
    const abandoned = await newPreview(abandonedBundle);
    expect((await presigned('PUT', abandoned.upload.url, abandoned.upload.headers, abandonedBundle)).status).toBe(200);
    const usedBundle = Buffer.from(`used ${crypto.randomUUID()}`);
    const used = await readyPreview(usedBundle);
    // S3 cannot refuse a second PUT to a presigned URL: what it stores is left for the sweep.
    if (driver === 's3') {
      expect((await presigned('PUT', used.upload.url, used.upload.headers, Buffer.from('stray'))).status).toBe(200);
    }
    const abandonedKey = `uploads/${projectId}/${abandoned.preview_id}`;
    const usedKey = `uploads/${projectId}/${used.preview_id}`;

    // Younger than the window (3 s here): kept, so an upload waiting for its complete is never swept.
    await server.runtime.services.previews.cleanup();
    expect(await storage.head(abandonedKey)).toBeDefined();

    await new Promise((r) => setTimeout(r, 3500));
    const { swept } = await server.runtime.services.previews.cleanup();
    expect(swept).toBeGreaterThanOrEqual(driver === 's3' ? 2 : 1);
    expect(await storage.head(abandonedKey)).toBeUndefined();
    expect(await storage.head(usedKey)).toBeUndefined();
    expect(await storage.list('uploads/', 100)).toEqual([]);
    // Completed bundles are never touched by the sweep.
    expect(await storage.head(`bundles/${projectId}/${sha(usedBundle)}`)).toEqual({ size: usedBundle.length });
    const late = await api('POST', `/previews/${abandoned.preview_id}/complete`, owner.token, {
      sha256: sha(abandonedBundle),
      size: abandonedBundle.length,
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/Nothing was uploaded/);
  });

  it('refuses bundles above the size limit with 413', async () => {
    const big = Buffer.alloc(5000, 'x');
    const declared = await api('POST', '/previews', owner.token, {
      project_id: projectId,
      platform: 'web',
      sha256: sha(big),
      size: big.length,
    });
    expect(declared.statusCode).toBe(413);
    const created = await newPreview(big, { declare: false });
    const put = await presigned('PUT', created.upload.url, created.upload.headers, big);
    if (driver === 'fs') {
      expect(put.status).toBe(413);
      expect(put.json().error.code).toBe('payload_too_large');
    }
    const done = await api('POST', `/previews/${created.preview_id}/complete`, owner.token, {
      sha256: sha(big),
      size: big.length,
    });
    expect(done.statusCode).toBe(413);
    expect(await server.runtime.infra.storage.head(`uploads/${projectId}/${created.preview_id}`)).toBeUndefined();
  });

  it('stores a bundle uploaded twice in one project once', async () => {
    const bundle = Buffer.from(`same ${crypto.randomUUID()}`);
    const first = await readyPreview(bundle);
    const second = await newPreview(bundle);
    expect(second.upload_required).toBe(false);
    const done = await api('POST', `/previews/${second.preview_id}/complete`, owner.token, {
      sha256: sha(bundle),
      size: bundle.length,
    });
    expect(done.json().status).toBe('ready');
    expect(await server.runtime.infra.storage.head(`bundles/${projectId}/${sha(bundle)}`)).toEqual({
      size: bundle.length,
    });
    expect(await server.runtime.infra.storage.head(`uploads/${projectId}/${first.preview_id}`)).toBeUndefined();
    expect(await server.runtime.infra.storage.head(`uploads/${projectId}/${second.preview_id}`)).toBeUndefined();
  });

  it('keeps non-members out (404) and viewers from creating (403)', async () => {
    const created = await readyPreview(Buffer.from(`auth ${crypto.randomUUID()}`));
    const stranger = await registerUser(server);
    expect(
      (await api('POST', '/previews', stranger.token, { project_id: projectId, platform: 'web' })).statusCode,
    ).toBe(404);
    expect((await api('GET', `/previews/${created.preview_id}`, stranger.token)).statusCode).toBe(404);
    expect((await api('GET', `/previews?project_id=${projectId}`, stranger.token)).statusCode).toBe(404);
    expect(
      (
        await api('POST', `/previews/${created.preview_id}/complete`, stranger.token, {
          sha256: 'a'.repeat(64),
          size: 1,
        })
      ).statusCode,
    ).toBe(404);
    const viewer = await registerUser(server);
    await api('POST', `/projects/${projectId}/members`, owner.token, { email: viewer.email, role: 'viewer' });
    expect((await api('POST', '/previews', viewer.token, { project_id: projectId, platform: 'ios' })).statusCode).toBe(
      403,
    );
    expect(
      (await api('GET', `/previews?project_id=${projectId}`, viewer.token)).json().previews.length,
    ).toBeGreaterThan(0);
  });

  it("lists a project's previews newest first, page by page, with codes for members and not for viewers", async () => {
    const paged = (await createProject(server, owner.token, `paged ${crypto.randomUUID().slice(0, 8)}`)).id;
    const made: { preview_id: string; code: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api('POST', '/previews', owner.token, { project_id: paged, platform: 'web' });
      expect(res.statusCode).toBe(201);
      made.push(res.json());
    }
    const newestFirst = made.map((p) => p.preview_id).reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api(
        'GET',
        `/previews?project_id=${paged}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        owner.token,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        previews: { preview_id: string; code: string | null }[];
        next_cursor: string | null;
      };
      expect(body.previews.length).toBeLessThanOrEqual(2);
      for (const p of body.previews) expect(p.code).toBe(made.find((m) => m.preview_id === p.preview_id)!.code);
      seen.push(...body.previews.map((p) => p.preview_id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);
    // Without a limit: the first 50, no next page here.
    const all = (await api('GET', `/previews?project_id=${paged}`, owner.token)).json();
    expect(all.previews.map((p: { preview_id: string }) => p.preview_id)).toEqual(newestFirst);
    expect(all.next_cursor).toBeNull();
    expect((await api('GET', `/previews/${made[0]!.preview_id}`, owner.token)).json().code).toBe(made[0]!.code);

    const viewer = await registerUser(server);
    await api('POST', `/projects/${paged}/members`, owner.token, { email: viewer.email, role: 'viewer' });
    const asViewer = (await api('GET', `/previews?project_id=${paged}`, viewer.token)).json();
    expect(asViewer.previews).toHaveLength(5);
    expect(asViewer.previews.every((p: { code: string | null }) => p.code === null)).toBe(true);
    expect((await api('GET', `/previews/${made[0]!.preview_id}`, viewer.token)).json().code).toBeNull();

    for (const bad of ['not a cursor!', Buffer.from('["x"]').toString('base64url')]) {
      const res = await api('GET', `/previews?project_id=${paged}&cursor=${encodeURIComponent(bad)}`, owner.token);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code).toBe('validation_error');
    }
    expect((await api('GET', `/previews?project_id=${paged}&limit=101`, owner.token)).statusCode).toBe(400);
  });

  it('expires previews, then deletes their bundles and nothing else', async () => {
    const shared = Buffer.from(`shared ${crypto.randomUUID()}`);
    const alone = Buffer.from(`alone ${crypto.randomUUID()}`);
    const live = Buffer.from(`live ${crypto.randomUUID()}`);
    const old1 = await readyPreview(shared);
    const keep = await readyPreview(shared);
    const old2 = await readyPreview(alone);
    const fresh = await readyPreview(live);
    for (const id of [old1.preview_id, old2.preview_id]) {
      await server.runtime.infra.db.orm
        .update(previewsTable)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(previewsTable.id, id));
    }
    await server.runtime.services.previews.cleanup();
    const status = async (id: string) => (await api('GET', `/previews/${id}`, owner.token)).json().status;
    expect(await status(old1.preview_id)).toBe('deleted');
    expect(await status(old2.preview_id)).toBe('deleted');
    expect(await status(keep.preview_id)).toBe('ready');
    expect(await status(fresh.preview_id)).toBe('ready');
    const head = (s: Buffer) => server.runtime.infra.storage.head(`bundles/${projectId}/${sha(s)}`);
    expect(await head(alone)).toBeUndefined();
    expect(await head(shared)).toBeDefined(); // still used by a live preview
    expect(await head(live)).toBeDefined();
    const types = (await api('GET', '/notifications?limit=200', owner.token))
      .json()
      .notifications.filter((n: { payload: { preview_id?: string } }) => n.payload.preview_id === old2.preview_id)
      .map((n: { type: string }) => n.type);
    expect(types).toContain('preview_expired');
  });

  it('accepts build-worker callbacks only with a fresh, valid, unreplayed signature', async () => {
    const bundle = Buffer.from(`worker ${crypto.randomUUID()}`);
    const created = await newPreview(bundle);
    await presigned('PUT', created.upload.url, created.upload.headers, bundle);
    const url = `/api/v1/internal/jobs/${created.preview_id}/callback`;
    const body = JSON.stringify({ status: 'succeeded', sha256: sha(bundle), size: bundle.length });
    const send = (headers: Record<string, string>, payload = body) =>
      server.request({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });

    expect((await send({})).statusCode).toBe(403);
    expect((await send(signWorkerCallback('x'.repeat(40), body))).statusCode).toBe(403);
    expect((await send(signWorkerCallback(WORKER_SECRET, body, Date.now() - 10 * 60_000))).statusCode).toBe(403);
    const tamperedHeaders = signWorkerCallback(WORKER_SECRET, body);
    expect((await send(tamperedHeaders, body.replace('succeeded', 'running'))).statusCode).toBe(403);

    const good = signWorkerCallback(WORKER_SECRET, body);
    const ok = await send(good);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('ready');
    const replay = await send(good);
    expect(replay.statusCode).toBe(403);
    expect(replay.json().error.message).toMatch(/already received/);

    const other = await newPreview(Buffer.from('x'), { declare: false });
    const failBody = JSON.stringify({
      status: 'failed',
      error: { code: 'build_failed', message: 'esbuild: missing entry' },
    });
    const failed = await server.request({
      method: 'POST',
      url: `/api/v1/internal/jobs/${other.preview_id}/callback`,
      headers: { 'content-type': 'application/json', ...signWorkerCallback(WORKER_SECRET, failBody) },
      body: failBody,
    });
    expect(failed.json()).toMatchObject({ status: 'failed', error: { code: 'build_failed' } });
  });

  it.runIf(driver === 'fs')('refuses local-storage URLs with a bad, foreign-method or expired signature', async () => {
    const created = await newPreview(Buffer.from('sig'), { declare: false });
    const url = new URL(created.upload.url);
    const inject = (method: 'PUT' | 'GET', u: URL) =>
      server.runtime.app!.inject({
        method,
        url: u.pathname + u.search,
        payload: method === 'PUT' ? 'data' : undefined,
      });
    const bad = new URL(url);
    bad.searchParams.set('signature', `${url.searchParams.get('signature')!.slice(0, -2)}AA`);
    expect((await inject('PUT', bad)).statusCode).toBe(403);
    expect((await inject('GET', url)).statusCode).toBe(403); // a PUT URL is not a GET URL
    const other = new URL(url);
    other.pathname = other.pathname.replace(created.preview_id, crypto.randomUUID());
    expect((await inject('PUT', other)).statusCode).toBe(403);
    const signer = (server.runtime.infra.storage as unknown as { signer: { url(s: object): string } }).signer;
    const expired = new URL(
      signer.url({
        method: 'PUT',
        key: `uploads/${projectId}/${created.preview_id}`,
        expires: Math.floor(Date.now() / 1000) - 5,
      }),
    );
    const res = await inject('PUT', expired);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/expired/);
    expect((await server.runtime.app!.inject({ method: 'GET', url: '/storage/../../etc/passwd' })).statusCode).toBe(
      404,
    );
  });

  it.runIf(driver === 's3')(
    'S3 verifies the presigned URLs: valid ones work; a changed key, expiry, method or signature, another secret, or an expired URL get 403',
    async () => {
      const bundle = Buffer.from(`<!doctype html><p>signed ${crypto.randomUUID()}</p>`);
      const created = await newPreview(bundle);
      const url = new URL(created.upload.url);
      expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      // No checksum of a body the server never saw: S3 would refuse every upload whose bytes differ (BadDigest).
      expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
      const refused = async (method: 'PUT' | 'GET', u: URL | string, code: string) => {
        const res = await presigned(method, String(u), created.upload.headers, method === 'PUT' ? bundle : undefined);
        expect(res.status, `${method} ${String(u)}`).toBe(403);
        expect(res.body.toString()).toContain(`<Code>${code}</Code>`);
      };

      const otherKey = new URL(url);
      otherKey.pathname = otherKey.pathname.replace(created.preview_id, crypto.randomUUID());
      await refused('PUT', otherKey, 'SignatureDoesNotMatch');
      const longer = new URL(url);
      longer.searchParams.set('X-Amz-Expires', String(Number(url.searchParams.get('X-Amz-Expires')) * 10));
      await refused('PUT', longer, 'SignatureDoesNotMatch');
      const forged = new URL(url);
      const signature = url.searchParams.get('X-Amz-Signature')!;
      forged.searchParams.set(
        'X-Amz-Signature',
        `${signature.slice(0, -4)}${signature.endsWith('0000') ? 'ffff' : '0000'}`,
      );
      await refused('PUT', forged, 'SignatureDoesNotMatch');
      await refused('GET', url, 'SignatureDoesNotMatch'); // a PUT URL is not a GET URL
      const e = s3!.env;
      const impostor = await createS3Storage({
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION!,
        bucket: e.S3_BUCKET!,
        accessKeyId: e.S3_ACCESS_KEY_ID!,
        secretAccessKey: 'not-the-secret-of-this-store',
        forcePathStyle: true,
      });
      const key = `uploads/${projectId}/${created.preview_id}`;
      // (presignGet: the impostor's presignPut would first ask for the bucket, and be refused.)
      await refused('GET', (await impostor.presignGet(key, 60)).url, 'SignatureDoesNotMatch');
      // Nothing above stored anything: the upload key is still empty.
      expect(await server.runtime.infra.storage.head(key)).toBeUndefined();

      // The URL as issued works, once the tampered ones have been refused.
      expect((await presigned('PUT', created.upload.url, created.upload.headers, bundle)).status).toBe(200);
      const shortLived = await server.runtime.infra.storage.presignGet(key, 1);
      const fresh = await presigned('GET', shortLived.url);
      expect(fresh.status).toBe(200);
      expect(Buffer.compare(fresh.body, bundle)).toBe(0);
      await new Promise((r) => setTimeout(r, 2100));
      await refused('GET', shortLived.url, 'AccessDenied');
      expect((await presigned('GET', shortLived.url)).body.toString()).toContain('Request has expired');
    },
  );
});

describe('preview resolution rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!, { HIVESYNC_RESOLVE_LIMIT_PER_IP: '5' });
  });
  afterAll(() => server?.stop());

  it('answers 429 with Retry-After once an IP has tried too many codes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await server.request({ method: 'POST', url: '/api/v1/previews/resolve', body: { code: 'ABCDEFGH' } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.json().error.code).toBe('rate_limited');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
  });

  it('answers 503 to worker callbacks when no shared secret is configured', async () => {
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/internal/jobs/abc/callback',
      headers: { 'content-type': 'application/json' },
      body: '{"status":"running"}',
    });
    expect(res.statusCode).toBe(503);
  });
});
