import crypto from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Preview, PreviewCreated, ResolvedPreview } from '@hivesync/core';
import { describe, expect, it } from 'vitest';
import { HiveSyncClient, HiveSyncError, viewerUrl } from './index.js';
import { startServer, type TestServer } from './test/server.js';

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

type Handler = (req: Received, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that records every request with its raw body. */
async function fakeServer(handler: Handler): Promise<TestServer & { received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const r: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        bytes: Buffer.concat(chunks),
      };
      received.push(r);
      handler(r, res);
    });
  });
  return { ...server, received };
}

function reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...(body !== undefined && typeof body !== 'string' && { 'content-type': 'application/json' }),
    ...headers,
  });
  res.end(text);
}

const json = (r: Received): unknown => JSON.parse(r.bytes.toString());
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

const BUNDLE = Buffer.from('<!doctype html><div id="root"></div><script>1</script>\n');
const EXPIRES = '2030-01-01T00:15:00.000Z';

function created(uploadUrl: string, extra: Partial<PreviewCreated> = {}): PreviewCreated {
  return {
    preview_id: 'pv1',
    token: 'tok.en',
    code: 'ABCD2345',
    expires_at: EXPIRES,
    status: 'pending_upload',
    upload: {
      method: 'PUT',
      url: uploadUrl,
      headers: { 'content-type': 'text/html; charset=utf-8', 'x-amz-meta-preview': 'pv1' },
    },
    upload_required: true,
    ...extra,
  };
}

const preview: Preview = {
  preview_id: 'pv1',
  project_id: 'p1',
  platform: 'web',
  status: 'ready',
  sha256: sha256(BUNDLE),
  size: BUNDLE.length,
  expires_at: EXPIRES,
  created_at: '2030-01-01T00:00:00.000Z',
  ready_at: '2030-01-01T00:00:01.000Z',
  consumed_at: null,
  error: null,
};

function resolved(downloadUrl: string, extra: Partial<ResolvedPreview> = {}): ResolvedPreview {
  return {
    preview_id: 'pv1',
    project_id: 'p1',
    platform: 'web',
    download_url: downloadUrl,
    sha256: sha256(BUNDLE),
    size: BUNDLE.length,
    expires_at: EXPIRES,
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<HiveSyncError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HiveSyncError);
  return err as HiveSyncError;
}

describe('publishing a preview', () => {
  it('creates, uploads to the presigned URL with exactly its headers, and completes', async () => {
    const storage = await fakeServer((_req, res) => reply(res, 200, '', { etag: '"abc"' }));
    const api = await fakeServer((req, res) => {
      if (req.path === '/api/v1/previews')
        return reply(res, 201, created(`${storage.url}/bucket/pv1?X-Amz-Signature=s`));
      reply(res, 200, preview);
    });
    const client = new HiveSyncClient({ baseUrl: api.url, accessToken: 'secret-access-token' });

    const body = { project_id: 'p1', platform: 'web' as const, sha256: sha256(BUNDLE), size: BUNDLE.length };
    const started = await client.previews.create(body);
    await client.previews.upload(started, BUNDLE);
    const ready = await client.previews.complete(started.preview_id, { sha256: sha256(BUNDLE), size: BUNDLE.length });

    expect(ready).toEqual(preview);
    expect(api.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/previews',
      'POST /api/v1/previews/pv1/complete',
    ]);
    expect(json(api.received[0]!)).toEqual(body);
    expect(api.received[0]!.headers.authorization).toBe('Bearer secret-access-token');
    expect(json(api.received[1]!)).toEqual({ sha256: sha256(BUNDLE), size: BUNDLE.length });

    const [put] = storage.received;
    expect(put).toMatchObject({ method: 'PUT', path: '/bucket/pv1' });
    expect(put!.query.get('X-Amz-Signature')).toBe('s');
    expect(put!.bytes.equals(BUNDLE)).toBe(true);
    expect(put!.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(put!.headers['x-amz-meta-preview']).toBe('pv1');
    expect(put!.headers['content-length']).toBe(String(BUNDLE.length));
    // Nothing of the session or the SDK reaches the storage server.
    expect(put!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(put!.headers)).not.toContain('secret-access-token');
    expect(put!.headers['user-agent'] ?? '').not.toContain('hivesync-sdk');
    expect(put!.headers['x-request-id']).toBeUndefined();
  });

  it('takes a relative upload URL from the server root', async () => {
    const api = await fakeServer((_req, res) => reply(res, 204));
    const client = new HiveSyncClient({ baseUrl: `${api.url}/`, accessToken: 'a1' });

    await client.previews.upload(created('/uploads/pv1?sig=x'), BUNDLE);

    expect(api.received[0]).toMatchObject({ method: 'PUT', path: '/uploads/pv1' });
    expect(api.received[0]!.headers.authorization).toBeUndefined();
  });

  it('maps a storage refusal to upload_failed, and an API envelope to its own code', async () => {
    const storage = await fakeServer((req, res) =>
      req.path === '/s3'
        ? reply(res, 403, '<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code></Error>', {
            'content-type': 'application/xml',
          })
        : reply(res, 413, { error: { code: 'payload_too_large', message: 'The bundle is over 50 MiB.' } }),
    );
    const client = new HiveSyncClient({ baseUrl: storage.url });

    const s3 = await rejection(client.previews.upload(created(`${storage.url}/s3`), BUNDLE));
    expect(s3).toMatchObject({ code: 'upload_failed', status: 403, retryable: false });
    expect(s3.message).toContain('SignatureDoesNotMatch');
    const big = await rejection(client.previews.upload(created(`${storage.url}/api`), BUNDLE));
    expect(big).toMatchObject({ code: 'payload_too_large', status: 413, message: 'The bundle is over 50 MiB.' });
  });

  it('maps an unreachable storage server to network_error', async () => {
    const gone = await fakeServer((_req, res) => reply(res, 200));
    await gone.close();
    const client = new HiveSyncClient({ baseUrl: gone.url });

    const err = await rejection(client.previews.upload(created(`${gone.url}/x`), BUNDLE));
    expect(err).toMatchObject({ code: 'network_error', status: 0, retryable: true });
  });

  it('gets and lists previews', async () => {
    const api = await fakeServer((req, res) =>
      req.path === '/api/v1/previews' ? reply(res, 200, { previews: [preview] }) : reply(res, 200, preview),
    );
    const client = new HiveSyncClient({ baseUrl: api.url, accessToken: 'a1' });

    expect(await client.previews.get('pv 1')).toEqual(preview);
    expect(await client.previews.list('p1')).toEqual({ previews: [preview] });
    await client.previews.list('p1', { limit: 20, cursor: 'abc_-' });
    expect(api.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/previews/pv%201',
      'GET /api/v1/previews',
      'GET /api/v1/previews',
    ]);
    expect(api.received[1]!.query.get('project_id')).toBe('p1');
    expect(api.received[1]!.query.has('limit')).toBe(false);
    expect(Object.fromEntries(api.received[2]!.query)).toEqual({ project_id: 'p1', limit: '20', cursor: 'abc_-' });
  });
});

describe('opening a preview', () => {
  it('resolves a code or a token without any login, and never sends a held token', async () => {
    const api = await fakeServer((req, res) => reply(res, 200, resolved(`${api.url}/dl`)));
    const anonymous = new HiveSyncClient({ baseUrl: api.url });
    const loggedIn = new HiveSyncClient({ baseUrl: api.url, accessToken: 'a1', refreshToken: 'r1' });

    expect(await anonymous.previews.resolve({ code: 'ABCD-2345' })).toEqual(resolved(`${api.url}/dl`));
    await loggedIn.previews.resolve({ token: 'tok.en' });
    await anonymous.previews.resolve({ code: 'ABCD-2345', platform: 'ios' });

    expect(api.received.map((r) => [r.method, r.path, json(r)])).toEqual([
      ['POST', '/api/v1/previews/resolve', { code: 'ABCD-2345' }],
      ['POST', '/api/v1/previews/resolve', { token: 'tok.en' }],
      ['POST', '/api/v1/previews/resolve', { code: 'ABCD-2345', platform: 'ios' }],
    ]);
    expect(api.received.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('answers a spent or expired code with its 410 code', async () => {
    const api = await fakeServer((req, res) =>
      reply(res, 410, {
        error: {
          code: (json(req) as { code: string }).code === 'SPENT' ? 'preview_token_consumed' : 'preview_token_expired',
          message: 'This preview code was already used.',
          request_id: 'r1',
          retryable: false,
        },
      }),
    );
    const client = new HiveSyncClient({ baseUrl: api.url });

    expect(await rejection(client.previews.resolve({ code: 'SPENT' }))).toMatchObject({
      code: 'preview_token_consumed',
      status: 410,
    });
    expect(await rejection(client.previews.resolve({ code: 'OLD' }))).toMatchObject({ code: 'preview_token_expired' });
  });

  it('downloads the bundle without a token and checks its size and hash', async () => {
    const storage = await fakeServer((req, res) => {
      if (req.path === '/ok') return reply(res, 200, BUNDLE.toString(), { 'content-type': 'text/html' });
      if (req.path === '/tampered') return reply(res, 200, BUNDLE.toString().replace('1', '2'));
      if (req.path === '/short') return reply(res, 200, BUNDLE.subarray(1).toString());
      reply(res, 403, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    });
    const client = new HiveSyncClient({ baseUrl: storage.url, accessToken: 'a1' });

    const bytes = await client.previews.download(resolved(`${storage.url}/ok?sig=1`));
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.equals(BUNDLE)).toBe(true);
    expect(storage.received[0]!.headers.authorization).toBeUndefined();

    const tampered = await rejection(client.previews.download(resolved(`${storage.url}/tampered`)));
    expect(tampered).toMatchObject({
      code: 'integrity_error',
      details: { expected_sha256: sha256(BUNDLE), expected_size: BUNDLE.length, actual_size: BUNDLE.length },
    });
    expect(tampered.details!.actual_sha256).not.toBe(sha256(BUNDLE));
    const short = await rejection(client.previews.download(resolved(`${storage.url}/short`)));
    expect(short).toMatchObject({ code: 'integrity_error', details: { actual_size: BUNDLE.length - 1 } });
    const expired = await rejection(client.previews.download(resolved(`${storage.url}/expired`)));
    expect(expired).toMatchObject({ code: 'download_failed', status: 403 });
    expect(expired.message).toContain('AccessDenied');
  });
});

describe('viewerUrl', () => {
  it('builds the viewer URL under the server, a trailing slash ignored and the code escaped', () => {
    expect(viewerUrl('http://127.0.0.1:8080', 'ABCD2345')).toBe('http://127.0.0.1:8080/p/ABCD2345');
    expect(viewerUrl('https://hive.example.com/sub/', 'ABCD2345')).toBe('https://hive.example.com/sub/p/ABCD2345');
    expect(viewerUrl('http://h', 'a/b?c')).toBe('http://h/p/a%2Fb%3Fc');
  });
});
