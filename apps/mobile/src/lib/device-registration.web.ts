import type { HiveSyncClient } from '@hivesync/sdk';

/** Whether this device now receives pushes, and why not when it does not. */
export type PushRegistration = { registered: true; deviceId: string } | { registered: false; reason: string };

/** The web export does not register for Web Push (the web app does, with its service worker): it polls. */
export async function registerDeviceForPush(_client: HiveSyncClient): Promise<PushRegistration> {
  return { registered: false, reason: 'the web version polls; the web app receives Web Push' };
}

/** No push taps in the web export. */
export function subscribeToPushTaps(_onData: (data: Record<string, unknown>) => void): () => void {
  return () => undefined;
}
