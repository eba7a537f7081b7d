import type { Device, DeviceList, NotificationPreferences, VapidPublicKey } from '@hivesync/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { HiveSyncClient, HiveSyncError } from './index.js';
import { startServer } from './test/server.js';

interface Received {
  method: string;
  path: string;
  body: unknown;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers with `route`. */
async function fakeServer(
  route: (req: Received) => [number, unknown?],
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: new URL(req.url ?? '/', 'http://x').pathname,
        body: text ? JSON.parse(text) : undefined,
      };
      received.push(r);
      const [status, body] = route(r);
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  return { url: server.url, received };
}

const DEVICE: Device = {
  device_id: 'd1',
  platform: 'ios',
  provider: 'expo',
  app_version: '1.0.0',
  name: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  last_push_at: null,
};

describe('devices and notification preferences', () => {
  it('sends each call to its endpoint with its body', async () => {
    const prefs: NotificationPreferences = {
      preferences: [{ type: 'thread_reply', in_app: true, push: false, in_app_optional: true }],
    };
    const server = await fakeServer((req) => {
      if (req.method === 'DELETE')
        return req.path.endsWith('/other')
          ? [404, { error: { code: 'not_found', message: 'no', request_id: 'r', retryable: false } }]
          : [204];
      if (req.path === '/api/v1/devices')
        return [req.method === 'POST' ? 201 : 200, req.method === 'POST' ? DEVICE : { devices: [DEVICE] }];
      if (req.path === '/api/v1/push/vapid-public-key') return [200, { public_key: 'BKey' }];
      return [200, prefs];
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const device = await client.devices.register({
      platform: 'ios',
      token: 'ExponentPushToken[abc]',
      app_version: '1.0.0',
    });
    expectTypeOf(device).toEqualTypeOf<Device>();
    expect(device.device_id).toBe('d1');
    const subscription = { endpoint: 'https://fcm.googleapis.com/fcm/send/x', keys: { p256dh: 'p', auth: 'a' } };
    await client.devices.register({ platform: 'web', subscription });
    expectTypeOf(await client.devices.list()).toEqualTypeOf<DeviceList>();
    await client.devices.remove('d 1');
    const missing = await client.devices.remove('other').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HiveSyncError);
    expect((missing as HiveSyncError).code).toBe('not_found');
    expectTypeOf(await client.devices.vapidPublicKey()).toEqualTypeOf<VapidPublicKey>();
    expect(await client.notifications.preferences()).toEqual(prefs);
    await client.notifications.updatePreferences({ preferences: [{ type: 'thread_reply', push: false }] });

    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/devices',
      'POST /api/v1/devices',
      'GET /api/v1/devices',
      'DELETE /api/v1/devices/d%201',
      'DELETE /api/v1/devices/other',
      'GET /api/v1/push/vapid-public-key',
      'GET /api/v1/me/notification-preferences',
      'PUT /api/v1/me/notification-preferences',
    ]);
    expect(server.received[0]!.body).toEqual({
      platform: 'ios',
      token: 'ExponentPushToken[abc]',
      app_version: '1.0.0',
    });
    expect(server.received[1]!.body).toEqual({ platform: 'web', subscription });
    expect(server.received[7]!.body).toEqual({ preferences: [{ type: 'thread_reply', push: false }] });
  });

  it('types a web registration without a subscription, or an Expo one without a token, as an error', () => {
    const client = new HiveSyncClient({ baseUrl: 'http://127.0.0.1:1' });
    // @ts-expect-error a web device needs its subscription
    void (() => client.devices.register({ platform: 'web' }));
    // @ts-expect-error an iOS device needs its token
    void (() => client.devices.register({ platform: 'ios' }));
    // @ts-expect-error channels are booleans
    void (() => client.notifications.updatePreferences({ preferences: [{ type: 'thread_reply', push: 'no' }] }));
  });
});
