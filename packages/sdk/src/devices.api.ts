import type { Device, DeviceList, RegisterDeviceBody, VapidPublicKey } from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

/**
 * /devices: where the caller receives push notifications. The mobile app registers its Expo push token, the web app
 * a browser's Web Push subscription (subscribed with `vapidPublicKey()`); registering the same token again updates
 * its device. Remove the device on sign-out, or its pushes go on.
 */
export class DevicesApi {
  constructor(private readonly transport: Transport) {}

  /** Registers (or updates) a device of the caller's: `{platform: 'ios' | 'android', token}` or `{platform: 'web', subscription}`. */
  register(body: RegisterDeviceBody, opts?: RequestOptions): Promise<Device> {
    return this.transport.json<Device>({ method: 'POST', path: '/devices', body }, opts);
  }

  /** The caller's devices (never their tokens). */
  list(opts?: RequestOptions): Promise<DeviceList> {
    return this.transport.json<DeviceList>({ method: 'GET', path: '/devices' }, opts);
  }

  /** Removes one of the caller's devices: no more push to it. Another user's device is `not_found`. */
  async remove(id: string, opts?: RequestOptions): Promise<void> {
    await this.transport.json<undefined>({ method: 'DELETE', path: `/devices/${encodeURIComponent(id)}` }, opts);
  }

  /** The server's VAPID public key (base64url), for `pushManager.subscribe({applicationServerKey})`. */
  vapidPublicKey(opts?: RequestOptions): Promise<VapidPublicKey> {
    return this.transport.json<VapidPublicKey>({ method: 'GET', path: '/push/vapid-public-key' }, opts);
  }
}
