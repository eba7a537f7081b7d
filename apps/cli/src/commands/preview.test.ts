import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Preview, PreviewCreated } from '@hivesync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../test/fake-api.js';
import { run } from '../main.js';

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}
type Answer = [status: number, body?: unknown];

const APP = fileURLToPath(new URL('../../../../tests/fixtures/preview-app', import.meta.url));
const DEMO = '0f6c1e9a-1111-4222-8333-444455556666';
const CODE = 'ABCD2345';
const EXPIRES = new Date(Date.now() + 15 * 60_000).toISOString();

let dir: string;
let fake: FakeApi;
let url: string;
let requests: Request[];
let uploadRequired: boolean;
/** The bundle the fake storage holds: what was PUT, or what a test put there. */
let stored: Buffer | undefined;

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const json = (r: Request | undefined): unknown => JSON.parse(r!.bytes.toString());

function preview(extra: Partial<Preview> = {}): Preview {
  return {
    preview_id: 'pv1',
    project_id: DEMO,
    platform: 'web',
    status: 'ready',
    sha256: stored ? sha256(stored) : null,
    size: stored?.length ?? null,
    expires_at: EXPIRES,
    created_at: '2030-01-01T00:00:00.000Z',
    ready_at: '2030-01-01T00:00:01.000Z',
    consumed_at: null,
    error: null,
    ...extra,
  };
}

function route(req: Request): Answer {
  const key = `${req.method} ${req.path}`;
  if (key === 'GET /api/v1/projects') return [200, { projects: [{ id: DEMO, name: 'demo' }] }];
  if (key === 'POST /api/v1/previews') {
    const created: PreviewCreated = {
      preview_id: 'pv1',
      token: 'signed.token',
      code: CODE,
      expires_at: EXPIRES,
      status: 'pending_upload',
      upload: { method: 'PUT', url: `${url}/storage/pv1?sig=abc`, headers: { 'content-type': 'text/html' } },
      upload_required: uploadRequired,
    };
    return [201, created];
  }
  if (key === 'PUT /storage/pv1') {
    stored = req.bytes;
    return [200];
  }
  if (key === 'POST /api/v1/previews/pv1/complete') return [200, preview()];
  if (key === 'GET /api/v1/previews/builders') return [200, { remote_builds: false, max_files: 5000, max_bytes: 1e8 }];
  if (key === 'GET /api/v1/previews')
    return [200, { previews: [preview(), preview({ preview_id: 'pv0', status: 'expired' })] }];
  if (key === 'POST /api/v1/previews/resolve') {
    const body = json(req) as { code?: string };
    if (body.code !== CODE) {
      return [410, { error: { code: 'preview_token_consumed', message: 'This preview code was already used.' } }];
    }
    return [
      200,
      {
        preview_id: 'pv1',
        project_id: DEMO,
        platform: 'web',
        download_url: `${url}/storage/pv1?sig=dl`,
        sha256: sha256(stored!),
        size: stored!.length,
        expires_at: EXPIRES,
      },
    ];
  }
  if (key === 'GET /storage/pv1') return [200, stored];
  return [404, { error: { code: 'not_found', message: 'Not found.', request_id: 'r1' } }];
}

beforeEach(async () => {
  requests = [];
  uploadRequired = true;
  stored = undefined;
  fake = await startFakeApi((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: Request = {
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        bytes: Buffer.concat(chunks),
      };
      requests.push(r);
      const [status, body] = route(r);
      if (Buffer.isBuffer(body)) {
        res.writeHead(status, { 'content-type': 'application/octet-stream' });
        res.end(body);
        return;
      }
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  ({ dir, url } = fake);
});

afterEach(() => fake.stop());

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  let err = '';
  stdout.on('data', (d: Buffer) => out.push(d));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await run([...args, '--server', url], {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: { XDG_CONFIG_HOME: dir, ...env },
  });
  const bytes = Buffer.concat(out);
  return { code, bytes, out: bytes.toString(), err };
}

const calls = () => requests.map((r) => `${r.method} ${r.path}`);

describe('preview', () => {
  it('builds, creates with the hash and size, uploads without the token, completes, and prints JSON', async () => {
    const r = await cli(['preview', APP, '--project', 'demo', '--platform', 'web', '--json', '--local']);

    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(calls()).toEqual([
      'GET /api/v1/projects',
      'POST /api/v1/previews',
      'PUT /storage/pv1',
      'POST /api/v1/previews/pv1/complete',
    ]);
    const bundle = stored!;
    expect(bundle.toString()).toContain('Hello from HiveSync');
    expect(json(requests[1])).toEqual({
      project_id: DEMO,
      platform: 'web',
      sha256: sha256(bundle),
      size: bundle.length,
    });
    expect(requests[2]!.headers.authorization).toBeUndefined();
    expect(requests[2]!.headers['content-type']).toBe('text/html');
    expect(json(requests[3])).toEqual({ sha256: sha256(bundle), size: bundle.length });

    const result = JSON.parse(r.out) as Record<string, unknown>;
    expect(result).toMatchObject({
      preview: preview(),
      code: CODE,
      token: 'signed.token',
      viewer_url: `${url}/p/${CODE}`,
      expires_at: EXPIRES,
      uploaded: true,
      bundle: { sha256: sha256(bundle), size: bundle.length, entry: 'App.tsx', files: 3 },
    });
    expect(Object.keys(result.timings as object)).toEqual(['build_ms', 'create_ms', 'upload_ms', 'complete_ms']);
    expect(Object.values(result.timings as object).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  it('prints the spaced code, a QR code of the viewer URL, the expiry and each step, with progress on stderr', async () => {
    const r = await cli(['preview', APP, '-p', DEMO, '--platform', 'web', '--local']);

    expect(r.code).toBe(0);
    expect(r.out).toContain('A B C D - 2 3 4 5');
    expect(r.out).toContain(`${url}/p/${CODE}`);
    expect(r.out).toMatch(/[█▀▄]{5}/);
    expect(r.out).toMatch(/expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 1[45] min\)/);
    for (const step of ['build', 'create', 'upload', 'complete', 'total']) {
      expect(r.out).toMatch(new RegExp(`^${step} +\\d+(\\.\\d)? (ms|s)`, 'm'));
    }
    expect(r.out).toMatch(/^build .* (KB|MB) web bundle, 3 files$/m);
    expect(r.err.split('\n')).toEqual([
      `preview: building ${APP} for web…`,
      expect.stringMatching(/^preview: built [\d.]+ (KB|MB) from 3 files in [\d.]+ (ms|s)$/),
      'preview: creating the preview…',
      expect.stringMatching(/^preview: uploading [\d.]+ (KB|MB)…$/),
      'preview: completing…',
      '',
    ]);
    // An id is used as it is: no project lookup.
    expect(calls()[0]).toBe('POST /api/v1/previews');
  });

  it('skips the upload when the server already holds the bundle, and draws no QR code with --no-qr', async () => {
    uploadRequired = false;
    const r = await cli(['preview', APP, '-p', DEMO, '--platform', 'web', '--no-qr', '--local']);

    expect(r.code).toBe(0);
    expect(calls()).toEqual(['POST /api/v1/previews', 'POST /api/v1/previews/pv1/complete']);
    expect(r.out).toMatch(/^upload +skipped {2}the server already holds this bundle$/m);
    expect(r.out).not.toMatch(/[█▀▄]/);
    expect(r.err).toContain('the server already holds this bundle: no upload');
  });

  it('builds for ios with react-native left to the host', async () => {
    const r = await cli(['preview', APP, '-p', DEMO, '--platform', 'ios', '--json', '--local']);

    expect(r.code).toBe(0);
    expect(json(requests[0])).toMatchObject({ platform: 'ios' });
    expect(stored!.toString()).toContain('require("react/jsx-runtime")');
    expect(JSON.parse(r.out)).toMatchObject({ bundle: { content_type: 'application/javascript' } });
  });

  it('is a usage error without an entry, and exit 1 on a compile error, before calling the server', async () => {
    const empty = await cli(['preview', dir, '-p', DEMO, '--platform', 'web', '--json', '--local']);
    expect(empty.code).toBe(2);
    expect(JSON.parse(empty.out)).toMatchObject({ error: { code: 'entry_not_found' } });

    const broken = path.join(dir, 'broken');
    await fs.mkdir(broken);
    await fs.writeFile(
      path.join(broken, 'App.tsx'),
      'export default function App() {\n  const n = ;\n  return n;\n}\n',
    );
    const failed = await cli(['preview', broken, '-p', DEMO, '--platform', 'web', '--local']);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/^hivesync: The build failed with 1 error:\nApp\.tsx:2:\d+: /m);
    expect(requests).toEqual([]);
  });

  it('asks the server whether it builds previews, and builds here when it has no builders', async () => {
    const r = await cli(['preview', APP, '-p', DEMO, '--platform', 'web', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(requests.map((q) => `${q.method} ${q.path}`).slice(0, 2)).toEqual([
      'GET /api/v1/previews/builders',
      'POST /api/v1/previews',
    ]);
    expect(JSON.parse(r.out).uploaded).toBe(true);
    expect((await cli(['preview', APP, '-p', DEMO, '--platform', 'web', '--remote', '--local'])).code).toBe(2);
  });

  it('needs --project and a known --platform', async () => {
    expect((await cli(['preview', APP, '--platform', 'web'])).code).toBe(2);
    const wrong = await cli(['preview', APP, '-p', DEMO, '--platform', 'windows', '--json']);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('usage_error');
    expect(requests).toEqual([]);
  });
});

describe('preview list', () => {
  it("lists a project's previews", async () => {
    stored = Buffer.from('x'.repeat(2048));
    const r = await cli(['preview', 'list', 'demo']);

    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +PLATFORM +STATUS +SIZE +CREATED +EXPIRES$/);
    expect(lines[1]).toMatch(/^pv1 +web +ready +2\.0 KB +\S.* UTC \(in 1[45] min\)$/);
    expect(lines[2]).toMatch(/^pv0 +web +expired +2\.0 KB .* -$/);
    expect(requests[1]!.query.get('project_id')).toBe(DEMO);

    const j = await cli(['preview', 'list', DEMO, '--json']);
    expect(JSON.parse(j.out)).toEqual({ previews: [preview(), preview({ preview_id: 'pv0', status: 'expired' })] });
  });
});

describe('preview open', () => {
  it('resolves a typed code without logging in, and writes the checked bundle to --out', async () => {
    stored = Buffer.from('<!doctype html><p>bundle</p>\n');
    await fs.rm(path.join(dir, 'hivesync'), { recursive: true });
    const out = path.join(dir, 'bundle.html');
    const r = await cli(['preview', 'open', 'abcd-2345', '--out', out]);

    expect(r.code).toBe(0);
    expect(json(requests[0])).toEqual({ code: CODE });
    expect(requests.every((q) => q.headers.authorization === undefined)).toBe(true);
    expect((await fs.readFile(out)).equals(stored)).toBe(true);
    expect(r.out).toContain(`to ${out}.`);
  });

  it('writes the bundle to stdout with --out -, and prints where it is without --out', async () => {
    stored = Buffer.from([0, 1, 2, 255]);
    const piped = await cli(['preview', 'open', CODE, '--out', '-']);
    expect(piped.bytes.equals(stored)).toBe(true);

    expect((await cli(['preview', 'open', CODE, '--out', '-', '--json'])).code).toBe(2);
    const shown = await cli(['preview', 'open', CODE]);
    expect(shown.out).toMatch(new RegExp(`^download +${url}/storage/pv1\\?sig=dl$`, 'm'));
    expect(shown.out).toMatch(/^size +4 bytes$/m);
    expect(shown.err).toContain('resolves only once');
  });

  it('sends a token as a token, and exits 1 on a spent code or a bundle that does not match', async () => {
    stored = Buffer.from('abc');
    const spent = await cli(['preview', 'open', 'eyJwIjoicDEifQ.c2ln', '--json']);
    expect(json(requests[0])).toEqual({ token: 'eyJwIjoicDEifQ.c2ln' });
    expect(spent.code).toBe(1);
    expect(JSON.parse(spent.out)).toMatchObject({ error: { code: 'preview_token_consumed', status: 410 } });

    const original = stored;
    fake.server.removeAllListeners('request');
    fake.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'GET') return void res.end('abd'); // the storage serves other bytes
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            preview_id: 'pv1',
            project_id: DEMO,
            platform: 'web',
            download_url: `${url}/storage/pv1`,
            sha256: sha256(original),
            size: original.length,
            expires_at: EXPIRES,
          }),
        );
      });
    });
    const tampered = await cli(['preview', 'open', CODE, '--out', path.join(dir, 'x.html')]);
    expect(tampered.code).toBe(1);
    expect(tampered.err).toMatch(/^hivesync: integrity_error: /);
    await expect(fs.access(path.join(dir, 'x.html'))).rejects.toThrow();
  });
});
