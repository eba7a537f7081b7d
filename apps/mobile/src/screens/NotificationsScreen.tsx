import type { Notification } from '@hivesync/sdk';
import { Pressable, ScrollView, Text, View } from 'react-native';
import { Banner, Button, Card, colors, Loading, styles, Title } from '../components/ui';
import { ago } from '../lib/format';
import { describeNotification, notificationTarget } from '../lib/notifications';
import type { Route } from '../lib/routes';
import { useQuery } from '../state/query';
import { useSignedIn } from '../state/session';

/** The notifications, newest first, polled; tapping one marks it read and opens its screen. */
export function NotificationsScreen({ navigate }: { navigate(route: Route): void }) {
  const { client } = useSignedIn();
  const list = useQuery('notifications', () => client.notifications.list({ steps: false, limit: 50 }), { poll: true });
  // Newest first, whatever order the page comes in.
  const items = [...(list.data?.notifications ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at));
  const unread = (n: Notification) => !n.read_at;

  const markRead = async (ids: string[]) => {
    if (ids.length === 0) return;
    // Shown read at once, in the cached list too (offline, the list last loaded keeps it).
    const at = new Date().toISOString();
    list.update((data) => ({
      ...data,
      notifications: data.notifications.map((n) =>
        ids.includes(n.notification_id) ? { ...n, read_at: n.read_at ?? at } : n,
      ),
    }));
    try {
      await client.notifications.markRead({ notification_ids: ids });
    } catch {
      // Shown read here; the next poll tells the truth.
    }
  };

  return (
    <ScrollView style={styles.screen} contentContainerStyle={styles.content}>
      <Title>Notifications</Title>
      {list.loading && !list.data && <Loading what="notifications" />}
      {list.error && !list.data ? <Banner kind="error">Could not load the notifications.</Banner> : null}
      {items.some(unread) && (
        <Button
          label="Mark all read"
          kind="secondary"
          onPress={() => void markRead(items.filter(unread).map((n) => n.notification_id))}
        />
      )}
      {list.data && items.length === 0 && <Text style={styles.muted}>No notifications.</Text>}
      <View role="list" aria-label="Notifications">
        {items.map((n) => {
          const view = describeNotification(n);
          const isUnread = unread(n);
          return (
            <Pressable
              key={n.notification_id}
              role="listitem"
              aria-label={`${isUnread ? 'Unread: ' : ''}${view.title}. ${view.body}`}
              onPress={() => {
                if (isUnread) void markRead([n.notification_id]);
                navigate(notificationTarget(n));
              }}
            >
              <Card testID="notification">
                <View style={styles.row}>
                  {isUnread && (
                    <View
                      testID="unread-dot"
                      style={{ width: 8, height: 8, borderRadius: 4, backgroundColor: colors.accent, marginRight: 8 }}
                    />
                  )}
                  <Text style={{ fontWeight: isUnread ? '700' : '400', color: colors.text, flexShrink: 1 }}>
                    {view.title}
                  </Text>
                </View>
                <Text style={styles.muted}>
                  {view.body} · {ago(n.created_at)}
                </Text>
              </Card>
            </Pressable>
          );
        })}
      </View>
    </ScrollView>
  );
}
