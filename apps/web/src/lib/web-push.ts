import type { WebPushSubscription } from '@hivesync/sdk';

/** The service worker that shows pushes (a plain file Vite copies into dist/assets under a hashed name). */
export const PUSH_WORKER_URL = new URL('../push-sw.js', import.meta.url).href;

/** Where this browser keeps the id of its device on the server, to remove it when push is turned off. */
export const DEVICE_KEY = 'hivesync.push.device';

/** The browser APIs push needs; `browserPushEnv()` gives the real ones, tests give fakes. */
export interface PushEnv {
  serviceWorker: ServiceWorkerContainer | undefined;
  notification:
    { permission: NotificationPermission; requestPermission(): Promise<NotificationPermission> } | undefined;
  /** Whether PushManager exists (Safari has it only for sites added to the home screen on iOS). */
  pushManager: boolean;
  /** Service workers need a secure context: https, or localhost. */
  secure: boolean;
}

/** The real browser's APIs. */
export function browserPushEnv(): PushEnv {
  const g = globalThis as typeof globalThis & { Notification?: PushEnv['notification']; PushManager?: unknown };
  return {
    serviceWorker: typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined,
    notification: g.Notification,
    pushManager: g.PushManager !== undefined,
    secure: g.isSecureContext === true,
  };
}

/** Whether this browser can get push, and what it has been told: `unsupported`, or the notification permission. */
export function pushSupport(env: PushEnv): 'unsupported' | NotificationPermission {
  if (!env.secure || !env.serviceWorker || !env.notification || !env.pushManager) return 'unsupported';
  return env.notification.permission;
}

/** The bytes of a base64url key, as pushManager.subscribe's applicationServerKey wants them. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(base64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** The browser said no to notifications (or was told no before): only its site settings can change that. */
export class PushPermissionDenied extends Error {
  constructor() {
    super('Notifications are blocked for this site: allow them in the browser’s site settings, then try again.');
    this.name = 'PushPermissionDenied';
  }
}

/**
 * Subscribes this browser to push with the server's VAPID key: asks for permission, registers the push worker,
 * waits for it to be active, and subscribes (reusing a subscription made with the same key). Returns what
 * POST /devices takes.
 */
export async function subscribeBrowser(env: PushEnv, vapidPublicKey: string): Promise<WebPushSubscription> {
  if (pushSupport(env) === 'unsupported') throw new Error('This browser cannot receive push notifications here.');
  const permission = await env.notification!.requestPermission();
  if (permission !== 'granted') throw new PushPermissionDenied();
  const registration = await env.serviceWorker!.register(PUSH_WORKER_URL);
  await activated(registration);
  const key = keyBytes(vapidPublicKey);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    // Made with another server key (the server's keys changed): it cannot be used any more.
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const json = subscription.toJSON();
  return {
    endpoint: json.endpoint ?? subscription.endpoint,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
  };
}

/** Ends this browser's push subscription, if it has one; returns whether it had. */
export async function unsubscribeBrowser(env: PushEnv): Promise<boolean> {
  if (!env.serviceWorker) return false;
  const registration = await env.serviceWorker.getRegistration(PUSH_WORKER_URL);
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return false;
  return subscription.unsubscribe();
}

/** Whether this browser holds a push subscription now. */
export async function isSubscribed(env: PushEnv): Promise<boolean> {
  if (pushSupport(env) === 'unsupported') return false;
  const registration = await env.serviceWorker!.getRegistration(PUSH_WORKER_URL);
  return (await registration?.pushManager.getSubscription()) != null;
}

function activated(registration: ServiceWorkerRegistration): Promise<void> {
  if (registration.active) return Promise.resolve();
  const worker = registration.installing ?? registration.waiting;
  return new Promise((resolve, reject) => {
    if (!worker) return reject(new Error('The push service worker did not start.'));
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      else if (worker.state === 'redundant') reject(new Error('The push service worker could not be installed.'));
    });
  });
}

function sameKey(a: ArrayBuffer | null, b: Uint8Array): boolean {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}
