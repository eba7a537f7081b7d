import crypto from 'node:crypto';
import type { PreviewBuild, PreviewFilesAnswer } from '@hivesync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createProject,
  eventually,
  registerUser,
  startTestServer,
  type TestServer,
} from '../../test/harness.js';
import { startS3 } from '../../test/s3.js';

/** Tests that run sandboxed builds: each takes seconds, and tens of seconds on a loaded 2-core machine. */
const BUILD_TEST_MS = 240_000;

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

const drivers = ['fs', 's3'] as const;
const matrix = backends().flatMap((backend) =>
  drivers.map((driver) => ({ backend, driver, name: `${backend.name} + ${driver}` })),
);

/** A small web app: a component entry, a module it imports, and a style sheet. */
function app(greeting = 'Hello from the server build'): Record<string, string> {
  return {
    'App.tsx': `import { shout } from './lib/shout';\nimport './style.css';\nexport default function App() {\n  return <h1>{shout(${JSON.stringify(greeting)})}</h1>;\n}\n`,
    'lib/shout.ts': `export function shout(s: string): string {\n  return s + '!';\n}\n`,
    'style.css': 'h1 { color: teal; }\n',
  };
}

const listOf = (files: Record<string, string>) =>
  Object.entries(files).map(([path, text]) => ({ path, sha256: sha(text), size: Buffer.byteLength(text) }));

describe.each(matrix)('server-side preview builds on $name', ({ backend, driver }) => {
  let server: TestServer;
  let s3: Awaited<ReturnType<typeof startS3>> | undefined;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let member: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;

  beforeAll(async () => {
    s3 = driver === 's3' ? await startS3() : undefined;
    server = await startTestServer(backend, {
      ...(s3?.env ?? {}),
      HIVESYNC_BUILD_MAX_FILES: '20',
      HIVESYNC_BUILD_MAX_BYTES: '100000',
      HIVESYNC_PREVIEW_CLEANUP_INTERVAL_SECONDS: '3600',
    });
    owner = await registerUser(server);
    member = await registerUser(server);
    projectId = (await createProject(server, owner.token, 'app')).id;
    const added = await api('POST', `/projects/${projectId}/members`, owner.token, {
      email: member.email,
      role: 'member',
    });
    expect(added.statusCode, added.body).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await s3?.stop();
  });

  function api(method: 'GET' | 'POST', url: string, token: string | undefined, body?: unknown) {
    return server.request({ method, url: `/api/v1${url}`, token, body });
  }

  /** PUTs to a presigned URL: through the app for the fs driver (it serves them), over the network for S3. */
  async function put(upload: { url: string; headers: Record<string, string> }, body: Buffer): Promise<number> {
    const u = new URL(upload.url);
    if (u.pathname.startsWith('/storage/')) {
      const res = await server.runtime.app!.inject({
        method: 'PUT',
        url: u.pathname + u.search,
        headers: upload.headers,
        payload: body,
      });
      return res.statusCode;
    }
    const res = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    await res.arrayBuffer();
    return res.status;
  }

  async function newPreview(token = owner.token): Promise<{ preview_id: string; code: string }> {
    const res = await api('POST', '/previews', token, { project_id: projectId, platform: 'web' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  /** Sends the tree, uploads what is missing; returns the answer of /files. */
  async function sendTree(previewId: string, files: Record<string, string>, token = owner.token) {
    const res = await api('POST', `/previews/${previewId}/files`, token, { files: listOf(files) });
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json<PreviewFilesAnswer>();
    for (const hash of answer.missing) {
      const text = Object.values(files).find((t) => sha(t) === hash)!;
      expect(await put(answer.uploads[hash]!, Buffer.from(text))).toBe(200);
    }
    return answer;
  }

  async function buildDone(previewId: string): Promise<PreviewBuild> {
    return eventually(
      async () => {
        const res = await api('GET', `/previews/${previewId}/build`, owner.token);
        const build = res.json<PreviewBuild>();
        return build.status === 'succeeded' || build.status === 'failed' ? build : undefined;
      },
      90_000,
      250,
    );
  }

  it('says it builds previews: this process runs a worker with a sandbox', async () => {
    const res = await api('GET', '/previews/builders', owner.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ remote_builds: true, max_files: 20, max_bytes: 100000 });
  });

  it(
    'builds a tree in the sandbox; the bundle resolves by code; a second preview uploads only the changed file',
    async () => {
      const files = app();
      const first = await newPreview();
      const answer = await sendTree(first.preview_id, files);
      expect(answer.missing.sort()).toEqual(
        listOf(files)
          .map((f) => f.sha256)
          .sort(),
      );
      const started = await api('POST', `/previews/${first.preview_id}/build`, owner.token);
      expect(started.statusCode, started.body).toBe(202);
      expect(started.json<PreviewBuild>().status).toBe('queued');
      const build = await buildDone(first.preview_id);
      expect(build.error).toBeNull();
      expect(build).toMatchObject({ status: 'succeeded', stage: 'done', files: 3 });

      const preview = (await api('GET', `/previews/${first.preview_id}`, owner.token)).json();
      expect(preview.status).toBe('ready');
      const resolved = await api('POST', '/previews/resolve', undefined, { code: first.code, platform: 'web' });
      expect(resolved.statusCode, resolved.body).toBe(200);
      const url = new URL(resolved.json().download_url);
      const html = url.pathname.startsWith('/storage/')
        ? (await server.runtime.app!.inject({ method: 'GET', url: url.pathname + url.search })).body
        : await (await fetch(url)).text();
      expect(html).toContain('Hello from the server build');
      expect(html).toContain('color: teal');

      // Another member of the project, one file changed: only that blob is asked for.
      const changed = { ...files, 'App.tsx': files['App.tsx']!.replace('Hello from', 'Hi again from') };
      const second = await newPreview(member.token);
      const again = await sendTree(second.preview_id, changed, member.token);
      expect(again.missing).toEqual([sha(changed['App.tsx']!)]);
      expect(Object.keys(again.uploads)).toEqual(again.missing);
      expect((await api('POST', `/previews/${second.preview_id}/build`, member.token)).statusCode).toBe(202);
      expect((await buildDone(second.preview_id)).status).toBe('succeeded');
    },
    BUILD_TEST_MS,
  );

  it(
    "fails with the bundler's error, its file and line",
    async () => {
      const files = { ...app(), 'lib/shout.ts': 'export function shout(s: string): string {\n  return s +;\n}\n' };
      const p = await newPreview();
      await sendTree(p.preview_id, files);
      expect((await api('POST', `/previews/${p.preview_id}/build`, owner.token)).statusCode).toBe(202);
      const build = await buildDone(p.preview_id);
      expect(build.status).toBe('failed');
      expect(build.error).toMatchObject({ code: 'build_failed', file: 'lib/shout.ts', line: 2 });
      expect(build.error!.message).toContain('lib/shout.ts:2:');
      const preview = (await api('GET', `/previews/${p.preview_id}`, owner.token)).json();
      expect(preview.status).toBe('failed');
      expect(preview.error.code).toBe('build_failed');
    },
    BUILD_TEST_MS,
  );

  it('refuses a tree over the file or byte limit with 413 naming the limit', async () => {
    const p = await newPreview();
    const many = Array.from({ length: 21 }, (_, i) => ({ path: `f${i}.ts`, sha256: sha(String(i)), size: 1 }));
    const count = await api('POST', `/previews/${p.preview_id}/files`, owner.token, { files: many });
    expect(count.statusCode).toBe(413);
    expect(count.json().error.message).toContain('limit of 20');
    const big = [{ path: 'big.ts', sha256: sha('x'), size: 100001 }];
    const bytes = await api('POST', `/previews/${p.preview_id}/files`, owner.token, { files: big });
    expect(bytes.statusCode).toBe(413);
    expect(bytes.json().error.message).toContain('limit of 100000 bytes');
  });

  it.each([
    ['../escape.ts', 'leaves the tree'],
    ['lib/../../escape.ts', 'leaves the tree'],
    ['/etc/passwd', 'is absolute'],
    ['lib//x.ts', 'not a clean relative path'],
  ])('refuses the path %s with 400', async (bad, why) => {
    const p = await newPreview();
    const res = await api('POST', `/previews/${p.preview_id}/files`, owner.token, {
      files: [...listOf(app()), { path: bad, sha256: sha('x'), size: 1 }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain(why);
  });

  it('refuses a symlink in the tree with 400', async () => {
    const p = await newPreview();
    const res = await api('POST', `/previews/${p.preview_id}/files`, owner.token, {
      files: [...listOf(app()), { path: 'link.ts', sha256: sha('/etc/passwd'), size: 11, type: 'symlink' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('symbolic link');
  });

  it('answers 400 for an upload whose bytes do not match its hash, and discards it', async () => {
    const files = app('Mismatch');
    const p = await newPreview();
    const res = await api('POST', `/previews/${p.preview_id}/files`, owner.token, { files: listOf(files) });
    const answer = res.json<PreviewFilesAnswer>();
    const target = sha(files['App.tsx']!);
    for (const hash of answer.missing) {
      const text = Object.values(files).find((t) => sha(t) === hash)!;
      // The App.tsx upload carries other bytes of the same length.
      const body = hash === target ? Buffer.from(text.replace('Mismatch', 'Mis-atch')) : Buffer.from(text);
      expect(await put(answer.uploads[hash]!, body)).toBe(200);
    }
    const started = await api('POST', `/previews/${p.preview_id}/build`, owner.token);
    expect(started.statusCode).toBe(400);
    expect(started.json().error.message).toContain('App.tsx');
    // Discarded: the next file list asks for that blob again (the others were kept).
    const again = await api('POST', `/previews/${p.preview_id}/files`, owner.token, { files: listOf(files) });
    expect(again.json<PreviewFilesAnswer>().missing).toEqual([target]);
    const notYet = await api('POST', `/previews/${p.preview_id}/build`, owner.token);
    expect(notYet.statusCode).toBe(409);
  });

  it('answers 404 to someone outside the project', async () => {
    const stranger = await registerUser(server);
    const p = await newPreview();
    const res = await api('POST', `/previews/${p.preview_id}/files`, stranger.token, { files: listOf(app()) });
    expect(res.statusCode).toBe(404);
    expect((await api('POST', `/previews/${p.preview_id}/build`, stranger.token)).statusCode).toBe(404);
    expect((await api('GET', `/previews/${p.preview_id}/build`, stranger.token)).statusCode).toBe(404);
  });
});

describe('a build past its deadline', () => {
  let server: TestServer;
  beforeAll(async () => {
    // 50 ms: no sandbox starts Node.js and bundles within it.
    server = await startTestServer(backends()[0]!, { HIVESYNC_BUILD_TIMEOUT_SECONDS: '0.05' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(
    'fails with build_timeout, and the preview with it',
    async () => {
      const token = server.admin.token;
      const projectId = (await createProject(server, token, 'slow')).id;
      const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
        server.request({ method, url: `/api/v1${url}`, token, body });
      const p = (await api('POST', '/previews', { project_id: projectId, platform: 'web' })).json();
      const files = app();
      const answer = (await api('POST', `/previews/${p.preview_id}/files`, { files: listOf(files) })).json();
      for (const hash of answer.missing as string[]) {
        const u = new URL(answer.uploads[hash].url);
        const text = Object.values(files).find((t) => sha(t) === hash)!;
        const res = await server.runtime.app!.inject({
          method: 'PUT',
          url: u.pathname + u.search,
          headers: answer.uploads[hash].headers,
          payload: Buffer.from(text),
        });
        expect(res.statusCode).toBe(200);
      }
      expect((await api('POST', `/previews/${p.preview_id}/build`)).statusCode).toBe(202);
      const build = await eventually(async () => {
        const b = (await api('GET', `/previews/${p.preview_id}/build`)).json<PreviewBuild>();
        return b.status === 'failed' || b.status === 'succeeded' ? b : undefined;
      }, 60_000);
      expect(build.status).toBe('failed');
      expect(build.error?.code).toBe('build_timeout');
      expect((await api('GET', `/previews/${p.preview_id}`)).json().error.code).toBe('build_timeout');
    },
    BUILD_TEST_MS,
  );
});

describe('with WORKER_SHARED_SECRET', () => {
  const lines: string[] = [];
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(
      backends()[0]!,
      { WORKER_SHARED_SECRET: 's'.repeat(40), HIVESYNC_LOG_LEVEL: 'info' },
      { listen: true, logLines: lines },
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(
    'reports the outcome through the signed build callback over HTTP',
    async () => {
      const token = server.admin.token;
      const projectId = (await createProject(server, token, 'signed')).id;
      const call = async (method: string, url: string, body?: unknown) => {
        const res = await fetch(`${server.url}/api/v1${url}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const p = (await call('POST', '/previews', { project_id: projectId, platform: 'web' })).json;
      const files = app('Signed');
      const answer = (await call('POST', `/previews/${p.preview_id}/files`, { files: listOf(files) })).json;
      for (const hash of answer.missing as string[]) {
        const text = Object.values(files).find((t) => sha(t) === hash)!;
        const put = await fetch(answer.uploads[hash].url, {
          method: 'PUT',
          headers: answer.uploads[hash].headers,
          body: text,
        });
        expect(put.status).toBe(200);
      }
      expect((await call('POST', `/previews/${p.preview_id}/build`)).status).toBe(202);
      const build = await eventually(async () => {
        const b = (await call('GET', `/previews/${p.preview_id}/build`)).json as PreviewBuild;
        return b.status === 'failed' || b.status === 'succeeded' ? b : undefined;
      }, 60_000);
      expect(build.error).toBeNull();
      expect((await call('GET', `/previews/${p.preview_id}`)).json.status).toBe('ready');
      // The worker's report reached the API as a signed request, and was accepted.
      const callbacks = lines
        .map((l) => JSON.parse(l) as { msg?: string; url?: string; status?: number })
        .filter((l) => l.msg === 'request' && l.url === `/api/v1/internal/jobs/${p.preview_id}/callback`);
      expect(callbacks.map((c) => c.status)).toEqual([200]);
    },
    BUILD_TEST_MS,
  );
});
