import crypto from 'node:crypto';
import { errors, type Device, type DeviceList, type RegisterDeviceBody, type VapidPublicKey } from '@hivesync/core';
import type { Database } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { AuthContext } from '../auth/auth.types.js';
import { DevicesRepository, type DeviceRow } from './devices.repository.js';
import { PushEndpointRefused, type PushEndpointPolicy } from './push-endpoint-policy.js';
import type { VapidKeys } from './vapid-keys.js';

/** Devices one user may have: every push goes to each of them, so their number is bounded. */
export const MAX_DEVICES_PER_USER = 50;

/** The devices a user receives push notifications on: registered by the mobile app and the web app. */
export class DevicesService {
  readonly repo: DevicesRepository;

  constructor(
    db: Database,
    /** The SSRF rules for Web Push endpoints. */
    readonly endpoints: PushEndpointPolicy,
    private readonly vapid: VapidKeys | undefined,
    private readonly logger: Logger,
  ) {
    this.repo = new DevicesRepository(db.orm);
  }

  /** Registers (or updates) one of the caller's devices. */
  async register(auth: AuthContext, body: RegisterDeviceBody): Promise<{ device: Device; created: boolean }> {
    const common = { appVersion: body.app_version ?? null, name: body.name ?? null };
    let input;
    if (body.platform === 'web') {
      if (!this.vapid) {
        throw errors.serviceUnavailable(
          'Web Push is not configured on this server: set HIVESYNC_VAPID_PUBLIC_KEY and HIVESYNC_VAPID_PRIVATE_KEY.',
        );
      }
      if (!isP256Point(body.subscription.keys.p256dh)) {
        throw errors.validation('subscription.keys.p256dh: is not a P-256 public key.', {
          field: 'subscription.keys.p256dh',
        });
      }
      try {
        await this.endpoints.check(body.subscription.endpoint);
      } catch (err) {
        if (err instanceof PushEndpointRefused) {
          throw errors.validation(`subscription.endpoint: ${err.message}.`, { field: 'subscription.endpoint' });
        }
        throw err;
      }
      input = {
        platform: 'web' as const,
        provider: 'webpush' as const,
        token: body.subscription.endpoint,
        keys: { p256dh: body.subscription.keys.p256dh, auth: body.subscription.keys.auth },
        ...common,
      };
    } else {
      input = { platform: body.platform, provider: 'expo' as const, token: body.token, keys: null, ...common };
    }
    if ((await this.repo.countOthers(auth.userId, input.token)) >= MAX_DEVICES_PER_USER) {
      throw errors.conflict(
        `You have ${MAX_DEVICES_PER_USER} devices registered for push, the most there can be: remove one you no longer use (DELETE /devices/{id}).`,
        { limit: MAX_DEVICES_PER_USER },
      );
    }
    const { row, created } = await this.repo.upsert(auth.userId, input);
    this.logger.info({ user_id: auth.userId, device_id: row.id, platform: row.platform, created }, 'device registered');
    return { device: toDevice(row), created };
  }

  /** The caller's devices. */
  async list(auth: AuthContext): Promise<DeviceList> {
    return { devices: (await this.repo.listForUser(auth.userId)).map(toDevice) };
  }

  /** Removes one of the caller's devices (sign-out, notifications turned off); another user's is not found. */
  async remove(auth: AuthContext, id: string): Promise<void> {
    if (!(await this.repo.deleteOwn(auth.userId, id))) throw errors.notFound('device');
  }

  /** The VAPID public key browsers subscribe with. */
  vapidPublicKey(): VapidPublicKey {
    if (!this.vapid) {
      throw errors.serviceUnavailable(
        'Web Push is not configured on this server: set HIVESYNC_VAPID_PUBLIC_KEY and HIVESYNC_VAPID_PRIVATE_KEY.',
      );
    }
    return { public_key: this.vapid.publicKey };
  }
}

/** The API's view of a device: never its token or keys. */
export function toDevice(row: DeviceRow): Device {
  return {
    device_id: row.id,
    platform: row.platform,
    provider: row.provider,
    app_version: row.appVersion,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    last_push_at: row.lastPushAt ? row.lastPushAt.toISOString() : null,
  };
}

/** Whether a base64url key is a point of P-256 (what the browser's push encryption needs): one ECDH with it works. */
function isP256Point(base64url: string): boolean {
  try {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(Buffer.from(base64url, 'base64url'));
    return true;
  } catch {
    return false;
  }
}
