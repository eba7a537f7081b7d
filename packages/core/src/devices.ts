import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { NotificationType } from './notifications.js';

/** Where a device receives push notifications: the mobile app (through Expo's push service) or a browser. */
export const DevicePlatform = z.enum(['ios', 'android', 'web']);
export type DevicePlatform = z.infer<typeof DevicePlatform>;

/** Which push service a device's notifications go through. */
export const PushProvider = z.enum(['expo', 'webpush']);
export type PushProvider = z.infer<typeof PushProvider>;

/** An Expo push token as expo-notifications hands it out: `ExponentPushToken[…]` (or `ExpoPushToken[…]`). */
export const ExpoPushToken = z
  .string()
  .max(256)
  .regex(/^Expo(nent)?PushToken\[[A-Za-z0-9_-]{1,200}\]$/, {
    message: 'must be an Expo push token such as ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]',
  });

// Decoded length from the text's (no Buffer here: the schemas run in browsers too).
const base64UrlBytes = (v: string) => Math.floor((v.replace(/=+$/, '').length * 3) / 4);
const Base64Url = (bytes: number, what: string) =>
  z
    .string()
    .max(200)
    .refine((v) => /^[A-Za-z0-9_-]+={0,2}$/.test(v) && base64UrlBytes(v) === bytes, {
      message: `must be the browser's ${what} (base64url)`,
    });

/** A browser's PushSubscription as `subscription.toJSON()` gives it (expirationTime is ignored). */
export const WebPushSubscription = z
  .object({
    /** The push service's URL for this browser: https, on a known push service (docs/CONFIGURATION.md). */
    endpoint: z.url({ protocol: /^https?$/ }).max(2048),
    keys: z
      .object({
        /** The browser's P-256 public key, uncompressed (65 bytes). */
        p256dh: Base64Url(65, 'P-256 public key'),
        /** The browser's authentication secret (16 bytes). */
        auth: Base64Url(16, 'authentication secret'),
      })
      .strip(),
    expirationTime: z.number().nullable().optional(),
  })
  .meta({ id: 'WebPushSubscription' });
export type WebPushSubscription = z.infer<typeof WebPushSubscription>;

/** An app's version as it reports it (`1.4.0`, `1.4.0+42`). */
const AppVersion = z
  .string()
  .max(64)
  .regex(/^[\w.+-]{1,64}$/, { message: 'must be a version such as 1.4.0' });
/** A name the user recognises the device by (`Ana's iPhone`). */
const DeviceName = z.string().trim().min(1).max(100);

/**
 * POST /devices: the mobile app registers its Expo push token (`ios`, `android`), the web app its Web Push
 * subscription (`web`). Registering a token or endpoint again updates its device.
 */
export const RegisterDeviceBody = z
  .discriminatedUnion('platform', [
    z
      .object({
        platform: z.enum(['ios', 'android']),
        token: ExpoPushToken,
        app_version: AppVersion.optional(),
        name: DeviceName.optional(),
      })
      .strict(),
    z
      .object({
        platform: z.literal('web'),
        subscription: WebPushSubscription,
        app_version: AppVersion.optional(),
        name: DeviceName.optional(),
      })
      .strict(),
  ])
  .meta({ id: 'RegisterDeviceBody' });
export type RegisterDeviceBody = z.infer<typeof RegisterDeviceBody>;

/** A device of the caller's. Its token or subscription is never sent back. */
export const Device = z
  .object({
    device_id: Id,
    platform: DevicePlatform,
    provider: PushProvider,
    app_version: z.string().nullable(),
    name: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
    /** When a push last reached the provider for it. */
    last_push_at: Timestamp.nullable(),
  })
  .meta({ id: 'Device' });
export type Device = z.infer<typeof Device>;

export const DeviceList = z.object({ devices: z.array(Device) }).meta({ id: 'DeviceList' });
export type DeviceList = z.infer<typeof DeviceList>;

export const DeviceParams = z.object({ id: Id });
export type DeviceParams = z.infer<typeof DeviceParams>;

/** The channels a notification reaches a user by: the apps' lists (in_app) and push to their devices. */
export const NotificationChannel = z.enum(['in_app', 'push']);
export type NotificationChannel = z.infer<typeof NotificationChannel>;

/** One notification type's channels for the caller (everything is on until turned off). */
export const NotificationPreference = z
  .object({
    type: NotificationType,
    in_app: z.boolean(),
    push: z.boolean(),
    /** False for a type whose in-app notification cannot be turned off (a security notice). */
    in_app_optional: z.boolean(),
  })
  .meta({ id: 'NotificationPreference' });
export type NotificationPreference = z.infer<typeof NotificationPreference>;

export const NotificationPreferences = z
  .object({ preferences: z.array(NotificationPreference) })
  .meta({ id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/** PUT /me/notification-preferences: the types to change, each with the channels to change; others stay. */
export const UpdateNotificationPreferencesBody = z
  .object({
    preferences: z
      .array(
        z
          .object({ type: NotificationType, in_app: z.boolean().optional(), push: z.boolean().optional() })
          .strict()
          .refine((p) => p.in_app !== undefined || p.push !== undefined, { message: 'set in_app, push or both' }),
      )
      .min(1)
      .max(100),
  })
  .strict()
  .meta({ id: 'UpdateNotificationPreferencesBody' });
export type UpdateNotificationPreferencesBody = z.infer<typeof UpdateNotificationPreferencesBody>;

/** GET /push/vapid-public-key: what a browser subscribes with (`applicationServerKey`). */
export const VapidPublicKey = z
  .object({
    /** The server's VAPID public key, base64url (65 bytes uncompressed P-256). */
    public_key: z.string(),
  })
  .meta({ id: 'VapidPublicKey' });
export type VapidPublicKey = z.infer<typeof VapidPublicKey>;

/**
 * What a push notification carries besides its title and body, for the app to open the right screen: the
 * notification, its type and project, the ids it is about, and the web app's path for it.
 */
export interface PushData {
  notification_id: string;
  type: NotificationType;
  project_id: string | null;
  thread_id?: string;
  task_id?: string;
  job_id?: string;
  preview_id?: string;
  sync_id?: string;
  /** The web app's path of the screen (`/projects/…/threads/…`), or `/notifications`. */
  url: string;
}
