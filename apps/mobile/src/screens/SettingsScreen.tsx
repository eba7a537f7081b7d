import { SDK_VERSION, type NotificationType } from '@hivesync/sdk';
import { useState } from 'react';
import { Platform, ScrollView, Switch, Text, View } from 'react-native';
import { Banner, Button, Card, colors, Field, Loading, styles, Title } from '../components/ui';
import type { PushRegistration } from '../lib/device-registration';
import { APP_VERSION } from '../lib/version';
import { MAX_POLL_SECONDS, MIN_POLL_SECONDS } from '../lib/polling';
import { useConnectivity } from '../state/connectivity';
import { KV_BACKEND } from '../state/kv';
import { clearQueryCache, useQuery } from '../state/query';
import { useSession, useSignedIn } from '../state/session';

/** Per-type channels (in the app's lists, pushed to devices), switched on and off on the server. */
function NotificationPreferencesCard() {
  const { client } = useSignedIn();
  const prefs = useQuery('notification-preferences', () => client.notifications.preferences());
  const [error, setError] = useState<string | null>(null);
  const toggle = async (type: NotificationType, channel: 'in_app' | 'push', on: boolean) => {
    setError(null);
    try {
      await client.notifications.updatePreferences({ preferences: [{ type, [channel]: on }] });
      await prefs.refetch();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <Card>
      <Title level={2}>Notifications</Title>
      {prefs.loading && <Loading what="preferences" />}
      {prefs.error && !prefs.data ? (
        <Text style={styles.muted}>This server does not offer notification preferences yet.</Text>
      ) : null}
      {error && <Banner kind="error">{error}</Banner>}
      <View role="list" aria-label="Notification preferences">
        {prefs.data?.preferences.map((p) => (
          <View
            role="listitem"
            key={p.type}
            style={[styles.row, { justifyContent: 'space-between', paddingVertical: 4 }]}
          >
            <Text style={{ flex: 1, color: colors.text }}>{p.type.replaceAll('_', ' ')}</Text>
            <Text style={styles.muted}>In app </Text>
            <Switch
              accessibilityLabel={`${p.type.replaceAll('_', ' ')}: in app`}
              value={p.in_app}
              disabled={!p.in_app_optional}
              onValueChange={(on) => void toggle(p.type, 'in_app', on)}
            />
            <Text style={styles.muted}> Push </Text>
            <Switch
              accessibilityLabel={`${p.type.replaceAll('_', ' ')}: push`}
              value={p.push}
              onValueChange={(on) => void toggle(p.type, 'push', on)}
            />
          </View>
        ))}
      </View>
    </Card>
  );
}

/** Settings: the server, polling interval, the web export's preview platform, sign out, about. */
export function SettingsScreen({ push }: { push?: PushRegistration | null }) {
  const { serverUrl, user } = useSignedIn();
  const { settings, updateSettings, signOut } = useSession();
  const { pollSeconds } = useConnectivity();
  const [interval, setInterval] = useState(String(settings.pollSeconds));

  return (
    <ScrollView style={styles.screen} contentContainerStyle={styles.content}>
      <Title>Settings</Title>
      <Card>
        <Title level={2}>Server</Title>
        <Text testID="settings-server">{serverUrl}</Text>
        <Text style={styles.muted}>
          Signed in as {user.display_name ?? user.email} ({user.email})
        </Text>
      </Card>
      <Card>
        <Title level={2}>Polling</Title>
        <Field
          label={`Poll every (seconds, ${MIN_POLL_SECONDS}–${MAX_POLL_SECONDS})`}
          value={interval}
          keyboardType="number-pad"
          onChangeText={setInterval}
          onEndEditing={() => {
            updateSettings({ pollSeconds: Number(interval) });
          }}
        />
        <Button
          label="Save interval"
          kind="secondary"
          onPress={() => {
            updateSettings({ pollSeconds: Number(interval) });
            setInterval(
              String(Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, Math.round(Number(interval) || 45)))),
            );
          }}
        />
        <Text style={styles.muted} testID="poll-now">
          Polling now every {pollSeconds} s (faster while a preview opens, 120 s while offline).
        </Text>
      </Card>
      <NotificationPreferencesCard />
      <Text style={styles.muted} testID="push-status">
        {push?.registered
          ? 'Push notifications: on for this device.'
          : `Push notifications: off (${push?.reason ?? 'checking'}); the app polls.`}
      </Text>
      {Platform.OS === 'web' && (
        <Card>
          <Title level={2}>Previews in the browser</Title>
          <Text style={styles.muted}>The browser runs phone previews as: {settings.webPreviewPlatform}</Text>
          <View style={[styles.row, { gap: 8 }]}>
            <Button label="Run as iOS" kind="secondary" onPress={() => updateSettings({ webPreviewPlatform: 'ios' })} />
            <Button
              label="Run as Android"
              kind="secondary"
              onPress={() => updateSettings({ webPreviewPlatform: 'android' })}
            />
          </View>
        </Card>
      )}
      <Button
        label="Sign out"
        kind="danger"
        onPress={() => {
          clearQueryCache();
          void signOut();
        }}
      />
      <Card>
        <Title level={2}>About</Title>
        <Text>
          HiveSync mobile {APP_VERSION} · SDK {SDK_VERSION}
        </Text>
        <Text style={styles.muted}>The session is kept in {KV_BACKEND}.</Text>
      </Card>
    </ScrollView>
  );
}
