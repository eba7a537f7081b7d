import { NOTIFICATION_TYPES } from '@hivesync/core';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPE_LABELS, notificationTypeLabel } from './notification-types.js';
import {
  keyBytes,
  PUSH_WORKER_URL,
  PushPermissionDenied,
  pushSupport,
  subscribeBrowser,
  unsubscribeBrowser,
  type PushEnv,
} from './web-push.js';

const KEY = 'BAEC__s'; // bytes 04 01 02 ff fb (base64url, unpadded: '_' is '/')

interface FakeSubscription {
  endpoint: string;
  options: { applicationServerKey: ArrayBuffer | null };
  unsubscribed: boolean;
  toJSON(): { endpoint: string; keys: { p256dh: string; auth: string } };
  unsubscribe(): Promise<boolean>;
}

/** A browser's push APIs, recording what the app asks of them. */
function fakeBrowser(
  options: { permission?: NotificationPermission; answer?: NotificationPermission; existingKey?: Uint8Array } = {},
) {
  const calls: string[] = [];
  const subscription = (key: Uint8Array, n: number): FakeSubscription => ({
    endpoint: `https://fcm.googleapis.com/fcm/send/${n}`,
    options: { applicationServerKey: key.slice().buffer },
    unsubscribed: false,
    toJSON() {
      return { endpoint: this.endpoint, keys: { p256dh: `p256dh-${n}`, auth: `auth-${n}` } };
    },
    async unsubscribe() {
      calls.push(`unsubscribe ${n}`);
      this.unsubscribed = true;
      current = null;
      return true;
    },
  });
  let current: FakeSubscription | null = options.existingKey ? subscription(options.existingKey, 0) : null;
  const worker = Object.assign(new EventTarget(), { state: 'installing' });
  let registered = false;
  const registration = {
    get active() {
      return worker.state === 'activated' ? worker : null;
    },
    installing: worker,
    waiting: null,
    pushManager: {
      getSubscription: async () => current,
      subscribe: async (opts: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) => {
        calls.push(`subscribe userVisibleOnly=${opts.userVisibleOnly} key=${[...opts.applicationServerKey].join(',')}`);
        current = subscription(opts.applicationServerKey, 1);
        return current;
      },
    },
  };
  const env: PushEnv = {
    secure: true,
    pushManager: true,
    notification: {
      permission: options.permission ?? 'default',
      requestPermission: async () => {
        calls.push('permission');
        return options.answer ?? 'granted';
      },
    },
    serviceWorker: {
      register: async (url: string) => {
        calls.push(`register ${url}`);
        registered = true;
        // The worker installs, then activates, after register() answers: subscribing must wait for it.
        setTimeout(() => {
          worker.state = 'activated';
          worker.dispatchEvent(new Event('statechange'));
        }, 0);
        return registration;
      },
      getRegistration: async () => (registered || current ? registration : undefined),
    } as unknown as ServiceWorkerContainer,
  };
  return { env, calls, current: () => current };
}

describe('browser push (lib/web-push)', () => {
  it('says when a browser cannot get push, and otherwise what it was told', () => {
    const { env } = fakeBrowser({ permission: 'denied' });
    expect(pushSupport(env)).toBe('denied');
    expect(pushSupport({ ...env, secure: false })).toBe('unsupported');
    expect(pushSupport({ ...env, serviceWorker: undefined })).toBe('unsupported');
    expect(pushSupport({ ...env, pushManager: false })).toBe('unsupported');
    expect(pushSupport({ ...env, notification: undefined })).toBe('unsupported');
  });

  it('decodes the server’s base64url VAPID key into bytes', () => {
    expect([...keyBytes(KEY)]).toEqual([4, 1, 2, 255, 251]);
  });

  it('asks permission, registers the push worker, waits for it, and subscribes with the server key', async () => {
    const browser = fakeBrowser();
    const subscription = await subscribeBrowser(browser.env, KEY);
    expect(browser.calls).toEqual([
      'permission',
      `register ${PUSH_WORKER_URL}`,
      'subscribe userVisibleOnly=true key=4,1,2,255,251',
    ]);
    expect(PUSH_WORKER_URL).toMatch(/push-sw\.js$/);
    expect(subscription).toEqual({
      endpoint: 'https://fcm.googleapis.com/fcm/send/1',
      keys: { p256dh: 'p256dh-1', auth: 'auth-1' },
    });
  });

  it('stops when the user refuses, before registering anything', async () => {
    const browser = fakeBrowser({ answer: 'denied' });
    await expect(subscribeBrowser(browser.env, KEY)).rejects.toBeInstanceOf(PushPermissionDenied);
    expect(browser.calls).toEqual(['permission']);
  });

  it('keeps a subscription made with the same key, and replaces one made with another', async () => {
    const same = fakeBrowser({ existingKey: keyBytes(KEY) });
    expect((await subscribeBrowser(same.env, KEY)).endpoint).toBe('https://fcm.googleapis.com/fcm/send/0');
    expect(same.calls.some((c) => c.startsWith('subscribe'))).toBe(false);

    const other = fakeBrowser({ existingKey: new Uint8Array([9, 9]) });
    expect((await subscribeBrowser(other.env, KEY)).endpoint).toBe('https://fcm.googleapis.com/fcm/send/1');
    expect(other.calls.slice(2)).toEqual(['unsubscribe 0', 'subscribe userVisibleOnly=true key=4,1,2,255,251']);
  });

  it('ends the subscription when turned off', async () => {
    const browser = fakeBrowser({ existingKey: keyBytes(KEY) });
    expect(await unsubscribeBrowser(browser.env)).toBe(true);
    expect(browser.current()).toBeNull();
    expect(await unsubscribeBrowser(browser.env)).toBe(false);
  });

  it('names every notification type in the preferences table', () => {
    for (const type of NOTIFICATION_TYPES) expect(NOTIFICATION_TYPE_LABELS[type], type).toMatch(/^[A-Z]/);
    expect(notificationTypeLabel('some_new_type')).toBe('some new type');
  });
});
