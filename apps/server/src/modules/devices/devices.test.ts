import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '@hivesync/core';
import { pushDeliveries } from '../../db/schema.js';
import {
  backends,
  createProject,
  eventually,
  registerUser,
  startTestServer,
  type TestServer,
} from '../../test/harness.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** One request a fake push service received. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A small real HTTP server standing in for a push service: it records every request and answers what `answer`
 * says (settable per test).
 */
async function fakeService(
  answer: (req: Received) => { status: number; json?: unknown },
): Promise<{ url: string; received: Received[]; answer: typeof answer; close: () => Promise<void> }> {
  const state = { received: [] as Received[], answer };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      state.received.push(got);
      const a = state.answer(got);
      res
        .writeHead(a.status, { 'content-type': 'application/json' })
        .end(a.json === undefined ? '' : JSON.stringify(a.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get answer() {
      return state.answer;
    },
    set answer(fn) {
      state.answer = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A browser's side of a Web Push subscription: its P-256 key pair and auth secret. */
function browserKeys() {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = crypto.randomBytes(16);
  return {
    ecdh,
    auth,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
  };
}

/** Decrypts an aes128gcm Web Push body (RFC 8291 / RFC 8188) with the browser's keys: what the browser would read. */
function decryptPush(body: Buffer, browser: ReturnType<typeof browserKeys>): string {
  const salt = body.subarray(0, 16);
  const idLen = body[20]!;
  const serverKey = body.subarray(21, 21 + idLen);
  const cipher = body.subarray(21 + idLen);
  const shared = browser.ecdh.computeSecret(serverKey);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), browser.ecdh.getPublicKey(), serverKey]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', shared, browser.auth, info, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(cipher.subarray(cipher.length - 16));
  const plain = Buffer.concat([decipher.update(cipher.subarray(0, cipher.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 and optional zero padding.
  return plain.subarray(0, plain.lastIndexOf(2)).toString('utf8');
}

const expoToken = () => `ExponentPushToken[${crypto.randomBytes(11).toString('hex')}]`;

describe.each(backends())('devices, preferences and push on $name', (backend) => {
  let server: TestServer;
  let expo: Awaited<ReturnType<typeof fakeService>>;
  let webpush: Awaited<ReturnType<typeof fakeService>>;
  const logLines: string[] = [];
  /** Expo's answers: per token, the ticket to give (default ok with a fresh receipt id), and receipts by id. */
  const tickets = new Map<string, unknown>();
  const receipts = new Map<string, unknown>();
  let failSends = 0;

  beforeAll(async () => {
    expo = await fakeService((req) => {
      if (req.path.endsWith('/send')) {
        if (failSends > 0) {
          failSends--;
          return { status: 503, json: { errors: [{ code: 'INTERNAL_SERVER_ERROR' }] } };
        }
        const messages = JSON.parse(req.body.toString()) as { to: string }[];
        return {
          status: 200,
          json: { data: messages.map((m) => tickets.get(m.to) ?? { status: 'ok', id: crypto.randomUUID() }) },
        };
      }
      if (req.path.endsWith('/getReceipts')) {
        const { ids } = JSON.parse(req.body.toString()) as { ids: string[] };
        return {
          status: 200,
          json: { data: Object.fromEntries(ids.flatMap((id) => (receipts.has(id) ? [[id, receipts.get(id)]] : []))) },
        };
      }
      return { status: 404 };
    });
    webpush = await fakeService(() => ({ status: 201 }));
    server = await startTestServer(
      backend,
      {
        HIVESYNC_LOG_LEVEL: 'info',
        HIVESYNC_EXPO_PUSH_URL: `${expo.url}/--/api/v2/push`,
        HIVESYNC_EXPO_ACCESS_TOKEN: 'expo-access-token-for-tests',
        HIVESYNC_WEBPUSH_TRUSTED_ORIGINS: webpush.url,
        HIVESYNC_VAPID_SUBJECT: 'mailto:ops@example.test',
        HIVESYNC_PUSH_RECEIPT_DELAY_SECONDS: '0',
        HIVESYNC_PUSH_RECEIPT_INTERVAL_SECONDS: '1',
        HIVESYNC_PUSH_RETRY_LIMIT: '3',
      },
      { logLines },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await expo?.close();
    await webpush?.close();
  });

  const register = (token: string, body: unknown) =>
    server.request({ method: 'POST', url: '/api/v1/devices', token, body });
  const listDevices = async (token: string) =>
    (await server.request({ method: 'GET', url: '/api/v1/devices', token })).json().devices as {
      device_id: string;
    }[];
  const publicEndpoints = () => {
    // Public push service hosts resolve (in this test) to a public address unless a test says otherwise.
    server.runtime.services.devices.endpoints.guard.lookup = async () => ['142.250.74.10'];
  };

  it('answers 401 without a token on every route', async () => {
    for (const [method, url] of [
      ['POST', '/api/v1/devices'],
      ['GET', '/api/v1/devices'],
      ['DELETE', '/api/v1/devices/x'],
      ['GET', '/api/v1/push/vapid-public-key'],
      ['GET', '/api/v1/me/notification-preferences'],
      ['PUT', '/api/v1/me/notification-preferences'],
    ] as const) {
      const res = await server.request({ method, url, body: method === 'POST' || method === 'PUT' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('registers a device once per token, lists and deletes only the caller’s own', async () => {
    const ana = await registerUser(server);
    const bob = await registerUser(server);
    const token = expoToken();
    const first = await register(ana.token, { platform: 'ios', token, app_version: '1.0.0', name: 'Ana’s iPhone' });
    expect(first.statusCode).toBe(201);
    const device = first.json();
    expect(device).toMatchObject({ platform: 'ios', provider: 'expo', app_version: '1.0.0', name: 'Ana’s iPhone' });
    expect(JSON.stringify(device)).not.toContain(token);

    const again = await register(ana.token, { platform: 'ios', token, app_version: '1.1.0' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ device_id: device.device_id, app_version: '1.1.0' });
    expect(await listDevices(ana.token)).toHaveLength(1);

    // Another user's device is not found, and not listed.
    expect(await listDevices(bob.token)).toHaveLength(0);
    const foreign = await server.request({
      method: 'DELETE',
      url: `/api/v1/devices/${device.device_id}`,
      token: bob.token,
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('not_found');
    expect(await listDevices(ana.token)).toHaveLength(1);

    // Bob signs in on Ana's phone: the token is now his device, not a second one.
    const moved = await register(bob.token, { platform: 'ios', token });
    expect(moved.json().device_id).toBe(device.device_id);
    expect(await listDevices(ana.token)).toHaveLength(0);
    const own = await server.request({
      method: 'DELETE',
      url: `/api/v1/devices/${device.device_id}`,
      token: bob.token,
    });
    expect(own.statusCode).toBe(204);
    expect(await listDevices(bob.token)).toHaveLength(0);
    const gone = await server.request({
      method: 'DELETE',
      url: `/api/v1/devices/${device.device_id}`,
      token: bob.token,
    });
    expect(gone.statusCode).toBe(404);
  });

  it('caps the devices of one user, while one already registered can always be registered again', async () => {
    const u = await registerUser(server);
    const tokens = Array.from({ length: 50 }, () => expoToken());
    for (const token of tokens) expect((await register(u.token, { platform: 'ios', token })).statusCode).toBe(201);
    const over = await register(u.token, { platform: 'ios', token: expoToken() });
    expect(over.statusCode).toBe(409);
    expect(over.json().error).toMatchObject({ code: 'conflict', details: { limit: 50 } });
    expect((await register(u.token, { platform: 'ios', token: tokens[0]!, app_version: '2.0.0' })).statusCode).toBe(
      200,
    );
  });

  it('refuses bad devices with a 400 naming the field', async () => {
    publicEndpoints();
    const u = await registerUser(server);
    const { keys } = browserKeys();
    const web = (endpoint: string, k: unknown = keys) => ({ platform: 'web', subscription: { endpoint, keys: k } });
    const cases: [unknown, string][] = [
      [{}, 'platform'],
      [{ platform: 'windows', token: expoToken() }, 'platform'],
      [{ platform: 'ios' }, 'token'],
      [{ platform: 'android', token: 'not-a-token' }, 'token'],
      [{ platform: 'ios', token: expoToken(), app_version: 'x'.repeat(65) }, 'app_version'],
      [{ platform: 'ios', token: expoToken(), extra: 1 }, ''],
      [{ platform: 'web' }, 'subscription'],
      [{ platform: 'web', token: expoToken() }, ''],
      [web('not a url'), 'subscription.endpoint'],
      [
        web('https://fcm.googleapis.com/fcm/send/abc', { p256dh: 'short', auth: keys.auth }),
        'subscription.keys.p256dh',
      ],
      [web('https://fcm.googleapis.com/fcm/send/abc', { p256dh: keys.p256dh, auth: 'x' }), 'subscription.keys.auth'],
    ];
    // 65 bytes, but not a point of the curve: caught by the service, with the field.
    const notAPoint = Buffer.alloc(65, 7);
    notAPoint[0] = 4;
    const offCurve = await register(u.token, {
      platform: 'web',
      subscription: {
        endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
        keys: { p256dh: notAPoint.toString('base64url'), auth: keys.auth },
      },
    });
    expect(offCurve.statusCode).toBe(400);
    expect(offCurve.json().error.details.field).toBe('subscription.keys.p256dh');
    const longId = await server.request({ method: 'DELETE', url: `/api/v1/devices/${'x'.repeat(65)}`, token: u.token });
    expect(longId.statusCode).toBe(400);
    expect(longId.json().error.details.issues[0].path).toBe('params.id');
    for (const [body, field] of cases) {
      const res = await register(u.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe('validation_error');
      const paths = (error.details.issues as { path: string }[]).map((i) => i.path);
      expect(
        paths.some((p) => p.startsWith(`body${field ? `.${field}` : ''}`)),
        `${JSON.stringify(body)}: ${paths.join(', ')}`,
      ).toBe(true);
    }
  });

  it('keeps Web Push endpoints to https push services on public addresses (SSRF rules)', async () => {
    publicEndpoints();
    const u = await registerUser(server);
    const { keys } = browserKeys();
    const web = (endpoint: string) => register(u.token, { platform: 'web', subscription: { endpoint, keys } });
    const trustedPort = new URL(webpush.url).port;
    for (const endpoint of [
      'http://fcm.googleapis.com/fcm/send/abc', // not https
      'https://evil.example.com/push/abc', // not a push service
      'https://127.0.0.1/push', // loopback
      `https://127.0.0.1:${trustedPort}/push`, // the trusted fake's address, but not its origin
      `http://127.0.0.1:${Number(trustedPort) + 1}/push`, // loopback on another port
      `http://localhost:${trustedPort}/push`, // another name for the trusted origin is not it
      'https://user:pw@fcm.googleapis.com/fcm/send/abc',
    ]) {
      const res = await web(endpoint);
      expect(res.statusCode, endpoint).toBe(400);
      expect(res.json().error.details.field, endpoint).toBe('subscription.endpoint');
    }
    // A push service's name that resolves inside the network is refused too.
    server.runtime.services.devices.endpoints.guard.lookup = async () => ['10.1.2.3'];
    const internal = await web('https://fcm.googleapis.com/fcm/send/internal');
    expect(internal.statusCode).toBe(400);
    expect(internal.json().error.message).toMatch(/internal address/);
    publicEndpoints();
    expect((await web('https://fcm.googleapis.com/fcm/send/ok')).statusCode).toBe(201);
    expect((await web('https://web.push.apple.com/QGx')).statusCode).toBe(201);
    expect((await web(`${webpush.url}/push/trusted`)).statusCode).toBe(201);
  });

  it('serves the VAPID public key, keeps the generated pair in a 0600 file, and never logs the private key', async () => {
    const u = await registerUser(server);
    const res = await server.request({ method: 'GET', url: '/api/v1/push/vapid-public-key', token: u.token });
    expect(res.statusCode).toBe(200);
    const publicKey = res.json().public_key as string;
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
    const file = path.join(server.dataDir, 'vapid-keys.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { public_key: string; private_key: string };
    expect(stored.public_key).toBe(publicKey);
    expect(res.body).not.toContain(stored.private_key);
    expect(logLines.join('\n')).not.toContain(stored.private_key);
  });

  it('reads and changes notification preferences, all on by default', async () => {
    const u = await registerUser(server);
    const get = async () =>
      (await server.request({ method: 'GET', url: '/api/v1/me/notification-preferences', token: u.token })).json()
        .preferences as { type: string; in_app: boolean; push: boolean; in_app_optional: boolean }[];
    const put = (body: unknown) =>
      server.request({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: u.token, body });
    const initial = await get();
    expect(initial.map((p) => p.type)).toEqual([...NOTIFICATION_TYPES]);
    expect(initial.every((p) => p.in_app && p.push)).toBe(true);

    const changed = await put({
      preferences: [
        { type: 'thread_reply', push: false },
        { type: 'repo_sync_started', in_app: false },
      ],
    });
    expect(changed.statusCode).toBe(200);
    // A later change of the other channel keeps the first.
    await put({ preferences: [{ type: 'thread_reply', in_app: false }] });
    const after = new Map((await get()).map((p) => [p.type, p]));
    expect(after.get('thread_reply')).toMatchObject({ in_app: false, push: false });
    expect(after.get('repo_sync_started')).toMatchObject({ in_app: false, push: true });
    expect(after.get('thread_mention')).toMatchObject({ in_app: true, push: true });

    for (const [body, field] of [
      [{}, 'body.preferences'],
      [{ preferences: [] }, 'body.preferences'],
      [{ preferences: [{ type: 'nope', push: false }] }, 'body.preferences.0.type'],
      [{ preferences: [{ type: 'thread_reply' }] }, 'body.preferences.0'],
      [{ preferences: [{ type: 'thread_reply', push: 'no' }] }, 'body.preferences.0.push'],
    ] as const) {
      const res = await put(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect((res.json().error.details.issues as { path: string }[]).map((i) => i.path)).toContain(field);
    }
    const security = await put({ preferences: [{ type: 'account_login_throttled', in_app: false }] });
    expect(security.statusCode).toBe(400);
    expect(security.json().error.details.field).toBe('preferences.0.in_app');
    expect((await get()).find((p) => p.type === 'account_login_throttled')).toMatchObject({
      in_app: true,
      in_app_optional: false,
    });

    // In-app off: the notification is not stored for that user.
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'repo_sync_started',
      payload: {},
    });
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'repo_sync_success',
      payload: {},
    });
    const listed = (await server.request({ method: 'GET', url: '/api/v1/notifications', token: u.token })).json();
    expect(listed.notifications.map((n: { type: string }) => n.type)).toEqual(['repo_sync_success']);
  });

  it('pushes through Expo with names, the screen to open and the access token; a receipt’s DeviceNotRegistered removes the device', async () => {
    const ana = await registerUser(server, { display_name: 'Ana Lima' });
    const bea = await registerUser(server, { display_name: 'Bea Costa' });
    const project = await createProject(server, ana.token, 'Harbor App');
    const token = expoToken();
    const device = (await register(bea.token, { platform: 'android', token, app_version: '2.0.0' })).json();
    const threadId = crypto.randomUUID();
    await server.runtime.services.notifications.notify({
      userIds: [bea.id],
      projectId: project.id,
      type: 'thread_reply',
      payload: { thread_id: threadId, path: 'src/app.ts', line: 12, by: ana.id },
    });
    const sent = await eventually(async () =>
      expo.received.find((r) => r.path === '/--/api/v2/push/send' && r.body.toString().includes(token)),
    );
    expect(sent.headers.authorization).toBe('Bearer expo-access-token-for-tests');
    expect(sent.headers['content-type']).toBe('application/json');
    const [message] = JSON.parse(sent.body.toString()) as {
      to: string;
      title: string;
      body: string;
      data: Record<string, unknown>;
    }[];
    expect(message).toMatchObject({
      to: token,
      title: 'Ana Lima replied',
      body: 'src/app.ts:12 · Harbor App',
      data: {
        type: 'thread_reply',
        project_id: project.id,
        thread_id: threadId,
        url: `/projects/${project.id}/threads/${threadId}`,
      },
    });
    expect(message!.title + message!.body).not.toMatch(UUID);
    const listed = (await server.request({ method: 'GET', url: '/api/v1/notifications', token: bea.token })).json();
    expect(message!.data.notification_id).toBe(listed.notifications[0].notification_id);

    // The ticket's receipt says the app was uninstalled: the device goes.
    const delivery = await eventually(async () => {
      const [row] = await server.runtime.infra.db.orm
        .select()
        .from(pushDeliveries)
        .where(eq(pushDeliveries.deviceId, device.device_id));
      return row?.receiptId ? row : undefined;
    });
    receipts.set(delivery.receiptId!, { status: 'error', message: 'gone', details: { error: 'DeviceNotRegistered' } });
    await eventually(async () => (await listDevices(bea.token)).length === 0);
    expect(
      expo.received.some(
        (r) => r.path === '/--/api/v2/push/getReceipts' && r.body.toString().includes(delivery.receiptId!),
      ),
    ).toBe(true);
  });

  it('removes a device whose Expo ticket says DeviceNotRegistered, and respects push preferences', async () => {
    const u = await registerUser(server);
    const gone = expoToken();
    tickets.set(gone, { status: 'error', message: 'not registered', details: { error: 'DeviceNotRegistered' } });
    await register(u.token, { platform: 'ios', token: gone });
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'system_maintenance_warning',
      payload: { message: 'Upgrade at noon' },
    });
    await eventually(async () => (await listDevices(u.token)).length === 0);
    const sent = JSON.parse(expo.received.find((r) => r.body.toString().includes(gone))!.body.toString());
    expect(sent[0]).toMatchObject({ title: 'Maintenance', body: 'Upgrade at noon', data: { url: '/notifications' } });

    // Push off for a type: nothing is sent for it, while another type still is.
    const kept = expoToken();
    await register(u.token, { platform: 'ios', token: kept });
    await server.request({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      token: u.token,
      body: { preferences: [{ type: 'repo_sync_failed', push: false }] },
    });
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'repo_sync_failed',
      payload: { error_code: 'auth' },
    });
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'resource_limit_warning',
      payload: { resource: 'disk', free_percent: 4 },
    });
    const forKept = async () =>
      expo.received
        .filter((r) => r.body.toString().includes(kept))
        .map((r) => JSON.parse(r.body.toString())[0].data.type as string);
    await eventually(async () => (await forKept()).includes('resource_limit_warning'));
    expect(await forKept()).toEqual(['resource_limit_warning']);
  });

  it('still pushes a type whose in-app channel is off, though nothing is listed', async () => {
    const u = await registerUser(server);
    const token = expoToken();
    await register(u.token, { platform: 'ios', token });
    await server.request({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      token: u.token,
      body: { preferences: [{ type: 'preview_ready', in_app: false }] },
    });
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'preview_ready',
      payload: { preview_id: 'pv1', platform: 'ios' },
    });
    const sent = await eventually(async () => expo.received.find((r) => r.body.toString().includes(token)));
    expect(JSON.parse(sent.body.toString())[0]).toMatchObject({
      title: 'Preview ready',
      data: { type: 'preview_ready', preview_id: 'pv1' },
    });
    const listed = (await server.request({ method: 'GET', url: '/api/v1/notifications', token: u.token })).json();
    expect(listed.notifications).toEqual([]);
  });

  it('retries a failed Expo send and pushes each device once; Web Push is encrypted and signed with VAPID; 410 removes the subscription', async () => {
    const u = await registerUser(server, { display_name: 'Caio' });
    const project = await createProject(server, u.token, 'Dockside');
    const token = expoToken();
    await register(u.token, { platform: 'ios', token });
    const browser = browserKeys();
    const endpoint = `${webpush.url}/push/${crypto.randomBytes(6).toString('hex')}`;
    const web = await register(u.token, { platform: 'web', subscription: { endpoint, keys: browser.keys } });
    expect(web.statusCode).toBe(201);
    const forEndpoint = () => webpush.received.filter((r) => endpoint.endsWith(r.path));

    failSends = 1;
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: project.id,
      type: 'ai_job_completed',
      payload: { job_id: 'job-1', action: 'document_file', suggestions: 1 },
    });
    const expoSends = () => expo.received.filter((r) => r.path.endsWith('/send') && r.body.toString().includes(token));
    await eventually(async () => expoSends().length >= 2 && forEndpoint().length >= 1);
    // The first attempt failed at Expo (503); the retry sent to Expo again but not to the browser already reached.
    expect(expoSends()).toHaveLength(2);
    expect(forEndpoint()).toHaveLength(1);

    const got = forEndpoint()[0]!;
    expect(got.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(got.headers.ttl)).toBeGreaterThan(0);
    const auth = /^vapid t=([^,]+), k=(\S+)$/.exec(String(got.headers.authorization));
    expect(auth).not.toBeNull();
    const publicKey = (
      await server.request({ method: 'GET', url: '/api/v1/push/vapid-public-key', token: u.token })
    ).json().public_key;
    expect(auth![2]).toBe(publicKey);
    const raw = Buffer.from(publicKey, 'base64url');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33).toString('base64url'),
      },
      'ES256',
    );
    const { payload: claims } = await jwtVerify(auth![1]!, key);
    expect(claims).toMatchObject({ aud: webpush.url, sub: 'mailto:ops@example.test' });
    const shown = JSON.parse(decryptPush(got.body, browser));
    expect(shown).toMatchObject({
      title: 'Suggestion ready to review',
      body: 'document file in Dockside',
      data: { type: 'ai_job_completed', job_id: 'job-1', url: `/projects/${project.id}/ai/job-1` },
    });
    expect(got.body.toString('latin1')).not.toContain('Dockside');

    // The browser unsubscribed: the push service answers 410 and the subscription is removed.
    webpush.answer = () => ({ status: 410 });
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'worker_unavailable',
      payload: {},
    });
    await eventually(async () => (await listDevices(u.token)).length === 1);
    webpush.answer = () => ({ status: 201 });
  });

  it('checks a Web Push endpoint again at send time: a name that now resolves inside the network gets nothing', async () => {
    publicEndpoints();
    const u = await registerUser(server);
    const { keys } = browserKeys();
    const res = await register(u.token, {
      platform: 'web',
      subscription: { endpoint: 'https://fcm.googleapis.com/fcm/send/rebind', keys },
    });
    expect(res.statusCode).toBe(201);
    server.runtime.services.devices.endpoints.guard.lookup = async () => ['127.0.0.1'];
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'worker_unavailable',
      payload: {},
    });
    const row = await eventually(async () => {
      const [r] = await server.runtime.infra.db.orm
        .select()
        .from(pushDeliveries)
        .where(eq(pushDeliveries.deviceId, res.json().device_id));
      return r;
    });
    expect(row).toMatchObject({ status: 'failed' });
    expect(row.error).toMatch(/internal address/);
    publicEndpoints();
  });
});
