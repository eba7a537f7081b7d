import type { HiveSyncClient } from '@hivesync/sdk';
import Constants from 'expo-constants';
import * as Device from 'expo-device';
import * as Notifications from 'expo-notifications';
import { Platform } from 'react-native';
import { APP_VERSION } from './version';

/** Whether this device now receives pushes, and why not when it does not. */
export type PushRegistration = { registered: true; deviceId: string } | { registered: false; reason: string };

/**
 * Registers this device's Expo push token with the server (POST /api/v1/devices through the SDK), after asking the
 * user for the notification permission. Needs a real device and an EAS project id (app.json extra.eas.projectId,
 * written by `eas init`): Expo's push service issues tokens per project. Not run here: no device, no EAS account.
 */
export async function registerDeviceForPush(client: HiveSyncClient): Promise<PushRegistration> {
  if (Platform.OS !== 'ios' && Platform.OS !== 'android') return { registered: false, reason: 'not a phone' };
  if (!Device.isDevice) return { registered: false, reason: 'push notifications need a real device, not a simulator' };
  if (Platform.OS === 'android') {
    await Notifications.setNotificationChannelAsync('default', {
      name: 'HiveSync',
      importance: Notifications.AndroidImportance.DEFAULT,
    });
  }
  let { status } = await Notifications.getPermissionsAsync();
  if (status !== 'granted') ({ status } = await Notifications.requestPermissionsAsync());
  if (status !== 'granted')
    return { registered: false, reason: 'notifications are not allowed in the system settings' };
  const extra = Constants.expoConfig?.extra as { eas?: { projectId?: string } } | undefined;
  const projectId = extra?.eas?.projectId ?? Constants.easConfig?.projectId;
  if (!projectId) return { registered: false, reason: 'the app has no EAS project id (run eas init)' };
  const token = (await Notifications.getExpoPushTokenAsync({ projectId })).data;
  const device = await client.devices.register({
    platform: Platform.OS,
    token,
    app_version: APP_VERSION,
    ...(Device.deviceName ? { name: Device.deviceName.slice(0, 100) } : {}),
  });
  return { registered: true, deviceId: device.device_id };
}

/** Calls `onData` with the data of each push notification the user taps (and of the one that opened the app). */
export function subscribeToPushTaps(onData: (data: Record<string, unknown>) => void): () => void {
  const sub = Notifications.addNotificationResponseReceivedListener((response) => {
    onData(response.notification.request.content.data ?? {});
  });
  void Notifications.getLastNotificationResponseAsync().then((response) => {
    if (response) onData(response.notification.request.content.data ?? {});
  });
  return () => sub.remove();
}
