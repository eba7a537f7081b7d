import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import { expectAccessible, logIn, overflowsSideways, webSession } from '../support/web.js';

/** Decrypts an aes128gcm Web Push body (RFC 8291) with the browser's keys. */
function decryptPush(body: Buffer, ecdh: crypto.ECDH, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLen = body[20]!;
  const serverKey = body.subarray(21, 21 + idLen);
  const cipher = body.subarray(21 + idLen);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), serverKey]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', ecdh.computeSecret(serverKey), auth, info, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(cipher.subarray(cipher.length - 16));
  const plain = Buffer.concat([decipher.update(cipher.subarray(0, cipher.length - 16)), decipher.final()]);
  return plain.subarray(0, plain.lastIndexOf(2)).toString('utf8');
}

/**
 * Browser notifications from the account page in Debian's Chromium, against a real server: the push service worker
 * is registered for real and the permission granted; only `pushManager.subscribe` is stubbed (headless Chromium has
 * no push service to reach here), handing out a subscription whose endpoint is a loopback fake push service the
 * server trusts (HIVESYNC_WEBPUSH_TRUSTED_ORIGINS). The push the server then sends is decrypted with the fake
 * browser's keys. One preference switch is saved through the table.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app: browser notifications', () => {
  const received: { path: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const fake = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  const env: Record<string, string> = {};
  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    env.HIVESYNC_WEBPUSH_TRUSTED_ORIGINS = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));
  const web = webSession('webpush', { env, permissions: ['notifications'] });
  const owner = { email: 'push-owner@example.test', password: 'push owner e2e password' };
  const member = { email: 'push-member@example.test', password: 'push member e2e password' };
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = crypto.randomBytes(16);

  it('turns browser notifications on, receives a push with names, saves a preference, and turns them off', async () => {
    const { server, page, context } = web;
    const ownerClient = new HiveSyncClient({ baseUrl: server.url });
    await ownerClient.auth.register({ ...owner, display_name: 'Ana Lima' });
    const memberClient = new HiveSyncClient({ baseUrl: server.url });
    await memberClient.auth.register({ ...member, display_name: 'Bea Costa' });
    const endpoint = `${env.HIVESYNC_WEBPUSH_TRUSTED_ORIGINS}/push/e2e-browser`;
    await context.addInitScript(
      ({ endpoint, p256dh, auth }) => {
        // Runs in the page (the tests are type-checked without the DOM's types: the browser's objects are described
        // here as far as this script uses them).
        type Subscription = { endpoint: string; toJSON(): unknown; unsubscribe(): Promise<boolean> };
        const w = globalThis as unknown as {
          pushKey?: number[];
          PushManager: {
            prototype: {
              subscribe(options?: { applicationServerKey?: Uint8Array }): Promise<Subscription>;
              getSubscription(): Promise<Subscription | null>;
            };
          };
        };
        let current: Subscription | null = null;
        w.PushManager.prototype.subscribe = async (options) => {
          const key = options!.applicationServerKey!;
          w.pushKey = Array.from(key);
          const made: Subscription & { options: unknown } = {
            endpoint,
            options: { applicationServerKey: key.buffer },
            toJSON: () => ({ endpoint, keys: { p256dh, auth } }),
            unsubscribe: async () => ((current = null), true),
          };
          current = made;
          return made;
        };
        w.PushManager.prototype.getSubscription = async () => current;
      },
      { endpoint, p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    );
    await logIn(page, server.url, member.email, member.password);
    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'Notifications', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Enable browser notifications' }).click();
    await page.getByText('Browser notifications are on for this browser.').waitFor();
    await page.getByRole('button', { name: 'Turn off browser notifications' }).waitFor();
    // The real service worker was registered, and the subscription made with the server's VAPID key.
    const registered = await page.evaluate(async () => {
      const { navigator } = globalThis as unknown as {
        navigator: { serviceWorker: { getRegistrations(): Promise<{ active: { scriptURL: string } | null }[]> } };
      };
      return (await navigator.serviceWorker.getRegistrations()).map((r) => r.active?.scriptURL ?? '');
    });
    expect(
      registered.some((u) => /\/assets\/push-sw-[\w-]+\.js$/.test(u)),
      registered.join(', '),
    ).toBe(true);
    const { public_key } = await memberClient.devices.vapidPublicKey();
    expect(await page.evaluate(() => (globalThis as unknown as { pushKey: number[] }).pushKey)).toEqual([
      ...Buffer.from(public_key, 'base64url'),
    ]);
    const { devices } = await memberClient.devices.list();
    expect(devices).toMatchObject([{ platform: 'web', provider: 'webpush', name: 'Chrome (web app)' }]);

    // Ana adds Bea to a project: Bea's browser gets the push, with names.
    const project = await ownerClient.projects.create({ name: 'Pier' });
    await ownerClient.members.add(project.id, { email: member.email });
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const push = received[0]!;
    expect(push.path).toBe('/push/e2e-browser');
    expect(String(push.headers.authorization)).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    expect(JSON.parse(decryptPush(push.body, ecdh, auth))).toMatchObject({
      title: 'Added to Pier',
      body: 'Ana Lima added you as member',
      data: { type: 'project_member_added', url: `/projects/${project.id}` },
    });

    // One switch of the table, saved on the server.
    await page.getByRole('checkbox', { name: 'A reply in a thread you take part in: push' }).uncheck();
    await expect
      .poll(async () =>
        (await memberClient.notifications.preferences()).preferences.find((p) => p.type === 'thread_reply'),
      )
      .toMatchObject({ in_app: true, push: false });
    await expectAccessible(page, 'account notifications');
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await overflowsSideways(page), 'account with notifications at 375 px').toBe('');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole('button', { name: 'Turn off browser notifications' }).click();
    await page.getByRole('button', { name: 'Enable browser notifications' }).waitFor();
    await expect.poll(async () => (await memberClient.devices.list()).devices.length).toBe(0);
  });
});
