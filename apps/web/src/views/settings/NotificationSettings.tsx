import { useState } from 'react';
import type { NotificationPreference } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { notificationTypeLabel } from '../../lib/notification-types.js';
import { PushPermissionDenied } from '../../lib/web-push.js';
import {
  useBrowserPushQuery,
  useDisablePushMutation,
  useEnablePushMutation,
  usePreferencesQuery,
  useUpdatePreferencesMutation,
} from '../../queries/push.js';

/** The account page's notifications: browser notifications on or off, and each type's channels. */
export function NotificationSettings() {
  return (
    <section aria-labelledby="notifications-title" className="settings-section">
      <h2 id="notifications-title">Notifications</h2>
      <BrowserNotifications />
      <PreferencesTable />
    </section>
  );
}

/** Turns this browser's push notifications on (service worker, subscription, device) or off. */
function BrowserNotifications() {
  const state = useBrowserPushQuery();
  const enable = useEnablePushMutation();
  const disable = useDisablePushMutation();
  const support = state.data?.support;
  const subscribed = state.data?.subscribed === true;
  const busy = enable.isPending || disable.isPending;
  return (
    <div className="browser-push">
      <h3>Browser notifications</h3>
      {support === 'unsupported' && (
        <p className="muted small">
          This browser cannot receive push notifications from this page (they need HTTPS, or localhost, and a browser
          with Web Push).
        </p>
      )}
      {support === 'denied' && (
        <p className="muted small">
          Notifications are blocked for this site: allow them in the browser’s site settings.
        </p>
      )}
      {support !== undefined && support !== 'unsupported' && (
        <p>
          {subscribed ? (
            <button type="button" disabled={busy} onClick={() => disable.mutate()}>
              Turn off browser notifications
            </button>
          ) : (
            <button type="button" disabled={busy || support === 'denied'} onClick={() => enable.mutate()}>
              Enable browser notifications
            </button>
          )}
        </p>
      )}
      <p role="status" className="small">
        {enable.isSuccess && subscribed ? 'Browser notifications are on for this browser.' : ''}
        {disable.isSuccess && !subscribed ? 'Browser notifications are off for this browser.' : ''}
      </p>
      {enable.isError &&
        (enable.error instanceof PushPermissionDenied ? (
          <p role="alert">{enable.error.message}</p>
        ) : (
          <ErrorPanel error={enable.error} title="Could not turn on browser notifications" />
        ))}
      {disable.isError && <ErrorPanel error={disable.error} title="Could not turn off browser notifications" />}
    </div>
  );
}

type Channel = 'in_app' | 'push';

/** One row per notification type: shown in the app, and pushed to devices (phone, browser). */
function PreferencesTable() {
  const prefs = usePreferencesQuery();
  const update = useUpdatePreferencesMutation();
  // A switch shows its new state in the same render as the click (the saved list follows when the server answers).
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const shown = (p: NotificationPreference, channel: Channel) => pending[`${p.type}:${channel}`] ?? p[channel];
  const set = (p: NotificationPreference, channel: Channel, on: boolean) => {
    const key = `${p.type}:${channel}`;
    setPending((was) => ({ ...was, [key]: on }));
    // Every call settles (mutate's own callbacks would fire for the last one only).
    void update
      .mutateAsync({ preferences: [{ type: p.type, [channel]: on }] })
      .catch(() => undefined)
      .finally(() =>
        setPending((was) => {
          const { [key]: _done, ...rest } = was;
          return rest;
        }),
      );
  };
  return (
    <div>
      <h3>What to tell you, and where</h3>
      <p className="muted small">
        “In the app” lists it here, in the editors and on the command line; “Push” sends it to your phone and to the
        browsers where notifications are on.
      </p>
      {prefs.isPending && <p aria-live="polite">Loading your notification settings…</p>}
      {prefs.isError && <ErrorPanel error={prefs.error} title="Could not load your notification settings" />}
      {update.isError && <ErrorPanel error={update.error} title="Could not save the change" />}
      {prefs.data && (
        <table className="preferences-table">
          <thead>
            <tr>
              <th scope="col">Notification</th>
              <th scope="col">In the app</th>
              <th scope="col">Push</th>
            </tr>
          </thead>
          <tbody>
            {prefs.data.preferences.map((p) => {
              const label = notificationTypeLabel(p.type);
              return (
                <tr key={p.type}>
                  <th scope="row">{label}</th>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${label}: in the app`}
                      checked={shown(p, 'in_app')}
                      disabled={!p.in_app_optional}
                      title={p.in_app_optional ? undefined : 'A security notice: always shown in the app'}
                      onChange={(e) => set(p, 'in_app', e.currentTarget.checked)}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${label}: push`}
                      checked={shown(p, 'push')}
                      onChange={(e) => set(p, 'push', e.currentTarget.checked)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
