import type { HiveSyncClient } from '@hivesync/sdk';
import { useEffect, useState } from 'react';
import { registerDeviceForPush, subscribeToPushTaps, type PushRegistration } from '../lib/device-registration';
import { pushTarget } from '../lib/notifications';
import type { Route } from '../lib/routes';
import { kv } from './kv';

/** Where the registered device's id is kept, so that sign-out can unregister it. */
export const DEVICE_KEY = 'hivesync.device';

/** Unregisters this device (sign-out): the server stops pushing to it. Never throws. */
export async function unregisterDevice(client: HiveSyncClient): Promise<void> {
  try {
    const id = await kv.get(DEVICE_KEY);
    await kv.remove(DEVICE_KEY);
    if (id) await client.devices.remove(id);
  } catch {
    // Offline or already gone: the server drops tokens the push service reports invalid.
  }
}

/**
 * Once signed in: registers the device for push (a phone; the web export polls) and opens the screen of each push
 * the user taps. Returns the outcome for Settings.
 */
export function usePushRegistration(client: HiveSyncClient, navigate: (route: Route) => void): PushRegistration | null {
  const [outcome, setOutcome] = useState<PushRegistration | null>(null);
  useEffect(() => {
    let live = true;
    registerDeviceForPush(client).then(
      async (result) => {
        if (result.registered) await kv.set(DEVICE_KEY, result.deviceId);
        if (live) setOutcome(result);
      },
      (err: unknown) => {
        if (live) setOutcome({ registered: false, reason: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [client]);
  useEffect(() => subscribeToPushTaps((data) => navigate(pushTarget(data))), [navigate]);
  return outcome;
}
