import { Link, useSearchParams } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { NotificationEntry } from '../components/NotificationBell.js';
import { useTitle } from '../components/Title.js';
import {
  describeNotification,
  isNotificationKind,
  NOTIFICATION_KINDS,
  useMarkReadMutation,
  useNotificationsPageQuery,
  type NotificationKind,
} from '../queries/notifications.js';
import { useUnreadCount } from '../session/live-events.js';

/** The address of a page of /notifications: its filters, and where it starts (an `older_cursor`). */
function notificationsPath(filter: { unread: boolean; kind: NotificationKind | null; before?: string }): string {
  const query = new URLSearchParams();
  if (filter.unread) query.set('unread', '1');
  if (filter.kind) query.set('kind', filter.kind);
  if (filter.before) query.set('before', filter.before);
  const qs = query.toString();
  return `/notifications${qs ? `?${qs}` : ''}`;
}

/**
 * /notifications?unread=1&kind=threads&before=: the caller's notifications, newest first, a page at a time (the
 * server's `older_cursor`), filtered by read state and kind; each opens its screen, and can be marked read alone or
 * with all the others. The steps of background work (a job queued, started) are left out: their outcome is shown.
 */
export function NotificationsPage() {
  useTitle('Notifications');
  const [params, setParams] = useSearchParams();
  const unread = params.get('unread') === '1';
  const kindParam = params.get('kind');
  const kind = isNotificationKind(kindParam) ? kindParam : null;
  const before = params.get('before') ?? undefined;
  const page = useNotificationsPageQuery({ unreadOnly: unread, kind }, before);
  const markRead = useMarkReadMutation();
  const { count } = useUnreadCount();

  // A changed filter starts from the newest page again. The controls show the address's filters, so the change is
  // rendered at once (flushSync): in a transition React would put the checkbox back until the navigation commits.
  const filterBy = (next: { unread?: boolean; kind?: NotificationKind | null }) =>
    setParams(new URLSearchParams(notificationsPath({ unread, kind, ...next }).split('?')[1] ?? ''), {
      flushSync: true,
    });

  return (
    <section>
      <div className="page-head">
        <h1>Notifications</h1>
        <div className="actions">
          <button type="button" disabled={markRead.isPending || !count} onClick={() => markRead.mutate({ all: true })}>
            {markRead.isPending ? 'Marking…' : 'Mark all read'}
          </button>
        </div>
      </div>
      <form className="filters" aria-label="Filter notifications" onSubmit={(e) => e.preventDefault()}>
        <label className="check">
          <input type="checkbox" checked={unread} onChange={(e) => filterBy({ unread: e.target.checked })} />
          Unread only
        </label>
        <label>
          Kind
          <select
            value={kind ?? ''}
            onChange={(e) => filterBy({ kind: isNotificationKind(e.target.value) ? e.target.value : null })}
          >
            <option value="">Every kind</option>
            {Object.entries(NOTIFICATION_KINDS).map(([value, k]) => (
              <option key={value} value={value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      {markRead.isError && <ErrorPanel error={markRead.error} title="Could not mark notifications read" />}
      {page.isPending && <p aria-live="polite">Loading notifications…</p>}
      {page.isError && <ErrorPanel error={page.error} />}
      {page.data && (
        <>
          {page.data.notifications.length === 0 ? (
            <p>
              {unread ? 'No unread notifications' : 'No notifications'}
              {kind ? ' of this kind' : ''}.
            </p>
          ) : (
            <ul className="notification-list" aria-label="Notifications, newest first" aria-busy={page.isFetching}>
              {page.data.notifications.map((n) => (
                <NotificationEntry
                  key={n.notification_id}
                  notification={n}
                  actions={
                    n.read_at === null && (
                      <button
                        type="button"
                        className="small"
                        disabled={markRead.isPending}
                        onClick={() => markRead.mutate({ notification_ids: [n.notification_id] })}
                      >
                        Mark read<span className="visually-hidden">: {describeNotification(n).text}</span>
                      </button>
                    )
                  }
                />
              ))}
            </ul>
          )}
          <nav aria-label="Pages of notifications" className="pager">
            {before && <Link to={notificationsPath({ unread, kind })}>Newest</Link>}
            {page.data.older ? (
              <Link to={notificationsPath({ unread, kind, before: page.data.older })} className="button">
                Older notifications
              </Link>
            ) : (
              page.data.notifications.length > 0 && <span className="muted">No older notifications.</span>
            )}
          </nav>
        </>
      )}
    </section>
  );
}
