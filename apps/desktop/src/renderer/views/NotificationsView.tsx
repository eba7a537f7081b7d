import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ErrorPanel, NotificationItem } from '@hivesync/ui';
import { client } from '../agent.js';
import { keys, useLatestNotifications } from '../queries.js';

/** The latest notifications (shared list item); opening one marks it read and opens its thread, job or preview. */
export function NotificationsView() {
  const latest = useLatestNotifications();
  const queryClient = useQueryClient();
  const markRead = useMutation({
    mutationFn: (body: { notification_ids: string[] } | { all: true }) => client.notifications.markRead(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.notifications }),
  });
  return (
    <section>
      <div className="page-head">
        <h1>Notifications</h1>
        <button type="button" onClick={() => markRead.mutate({ all: true })} disabled={markRead.isPending}>
          Mark all read
        </button>
      </div>
      {latest.isPending && <p aria-live="polite">Loading…</p>}
      {latest.isError && <ErrorPanel error={latest.error} />}
      {markRead.isError && <ErrorPanel error={markRead.error} title="Could not mark them read" />}
      {latest.data?.length === 0 && <p className="muted">Nothing yet.</p>}
      <ul className="notification-list" aria-label="Notifications">
        {latest.data?.map((n) => (
          <NotificationItem
            key={n.notification_id}
            notification={n}
            onOpen={(x) => {
              if (x.read_at === null) markRead.mutate({ notification_ids: [x.notification_id] });
            }}
          />
        ))}
      </ul>
    </section>
  );
}
