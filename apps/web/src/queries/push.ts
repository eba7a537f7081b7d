import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NotificationPreference, NotificationPreferences, UpdateNotificationPreferencesBody } from '@hivesync/sdk';
import {
  browserPushEnv,
  DEVICE_KEY,
  isSubscribed,
  pushSupport,
  subscribeBrowser,
  unsubscribeBrowser,
} from '../lib/web-push.js';
import { useClient } from '../session/session.js';

/** Query keys of notification preferences and this browser's push state. */
export const pushKeys = {
  all: ['push'] as const,
  preferences: () => [...pushKeys.all, 'preferences'] as const,
  browser: () => [...pushKeys.all, 'browser'] as const,
};

/** The caller's channels for every notification type. */
export function usePreferencesQuery() {
  const client = useClient();
  return useQuery({
    queryKey: pushKeys.preferences(),
    queryFn: ({ signal }) => client.notifications.preferences({ signal }),
  });
}

/**
 * Changes channels: the table shows the change at once (a checkbox must follow the click), the server's answer
 * (every type's channels) then replaces it, and a failure puts the previous state back.
 */
export function useUpdatePreferencesMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateNotificationPreferencesBody) => client.notifications.updatePreferences(body),
    onMutate: async (body) => {
      await queryClient.cancelQueries({ queryKey: pushKeys.preferences() });
      const previous = queryClient.getQueryData<NotificationPreferences>(pushKeys.preferences());
      if (previous) queryClient.setQueryData(pushKeys.preferences(), applyChanges(previous, body));
      return { previous };
    },
    onError: (_err, _body, context) => {
      if (context?.previous) queryClient.setQueryData(pushKeys.preferences(), context.previous);
    },
    onSuccess: (prefs: NotificationPreferences) => queryClient.setQueryData(pushKeys.preferences(), prefs),
  });
}

/** The preferences with a PUT's changes applied, as the server will answer them. */
export function applyChanges(
  prefs: NotificationPreferences,
  body: UpdateNotificationPreferencesBody,
): NotificationPreferences {
  return {
    preferences: prefs.preferences.map((p) => {
      let next: NotificationPreference = p;
      for (const c of body.preferences) {
        if (c.type !== p.type) continue;
        next = { ...next, in_app: c.in_app ?? next.in_app, push: c.push ?? next.push };
      }
      return next;
    }),
  };
}

/** Whether this browser can get push, its permission, and whether it is subscribed. */
export function useBrowserPushQuery() {
  return useQuery({
    queryKey: pushKeys.browser(),
    queryFn: async () => {
      const env = browserPushEnv();
      return { support: pushSupport(env), subscribed: await isSubscribed(env) };
    },
  });
}

/** Turns browser notifications on: subscribes with the server's VAPID key and registers this browser as a device. */
export function useEnablePushMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { public_key } = await client.devices.vapidPublicKey();
      const subscription = await subscribeBrowser(browserPushEnv(), public_key);
      const device = await client.devices.register({ platform: 'web', subscription, name: browserName() });
      localStorage.setItem(DEVICE_KEY, device.device_id);
      return device;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: pushKeys.browser() }),
  });
}

/** Turns browser notifications off: the subscription ends here and the device goes from the server. */
export function useDisablePushMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await unsubscribeBrowser(browserPushEnv());
      const id = localStorage.getItem(DEVICE_KEY);
      if (id) {
        // Already gone (removed elsewhere, or by the server when the push service said so): nothing left to do.
        await client.devices.remove(id).catch((err: { code?: string }) => {
          if (err.code !== 'not_found') throw err;
        });
        localStorage.removeItem(DEVICE_KEY);
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: pushKeys.browser() }),
  });
}

/** A name the user recognises this browser by in their device list. */
function browserName(): string {
  const ua = typeof navigator !== 'undefined' ? navigator.userAgent : '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  return `${browser} (web app)`;
}
