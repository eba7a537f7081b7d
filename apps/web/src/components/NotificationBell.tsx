import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import type { Notification } from '@hivesync/sdk';
import { ErrorPanel, NotificationItem } from '@hivesync/ui';
import { describeNotification, isStep, useMarkReadMutation } from '../queries/notifications.js';
import { useLatestNotifications, useLiveEvent, useLiveStatus, useUnreadCount } from '../session/live-events.js';
import './activity.css';

/** New notifications arriving within this many milliseconds are announced together, in one sentence. */
const ANNOUNCE_BATCH_MS = 1500;

/**
 * The header's bell: the unread count, live (the event stream, or polling when it is down), announced to screen
 * readers only when new notifications arrive (batched); a menu of the latest few with "Mark all read" and a link
 * to /notifications. Esc, a click outside or leaving it with Tab closes the menu; Esc puts the focus back on the bell.
 */
export function NotificationBell() {
  const { count, more } = useUnreadCount();
  const status = useLiveStatus();
  const [open, setOpen] = useState(false);
  const latest = useLatestNotifications(open);
  const markRead = useMarkReadMutation();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const headingId = useId();
  const location = useLocation();
  const announcement = useNewNotificationsAnnouncement();

  // Moving to another page closes the menu.
  useEffect(() => setOpen(false), [location.pathname, location.search]);

  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    // Esc closes it wherever the focus is (in the menu, or back on the bell), and gives the focus to the bell.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const unread = count ?? 0;
  const label = unread > 0 ? `Notifications, ${unread}${more ? ' or more' : ''} unread` : 'Notifications, none unread';

  return (
    <div className="bell">
      <button
        ref={button}
        type="button"
        className="bell-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        title={status === 'polling' ? 'Notifications (checking now and then: the live connection is down)' : undefined}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true" data-testid="bell-count">
            {unread}
            {more && '+'}
          </span>
        )}
      </button>
      <span className="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </span>
      {open && (
        <div
          ref={panel}
          id={panelId}
          className="bell-panel"
          role="dialog"
          aria-labelledby={headingId}
          tabIndex={-1}
          onBlur={(e) => {
            const next = e.relatedTarget as Node | null;
            if (next && !panel.current?.contains(next) && !button.current?.contains(next)) setOpen(false);
          }}
        >
          <div className="bell-head">
            <h2 id={headingId}>Notifications</h2>
            <button
              type="button"
              className="bell-mark-all"
              disabled={markRead.isPending || unread === 0}
              onClick={() => markRead.mutate({ all: true })}
            >
              {markRead.isPending ? 'Marking…' : 'Mark all read'}
            </button>
          </div>
          {markRead.isError && <ErrorPanel error={markRead.error} title="Could not mark them read" />}
          {latest.isPending && <p aria-live="polite">Loading…</p>}
          {latest.isError && <ErrorPanel error={latest.error} />}
          {latest.data &&
            (latest.data.length === 0 ? (
              <p className="muted">Nothing yet.</p>
            ) : (
              <ul className="notification-list compact">
                {latest.data.map((n) => (
                  <NotificationEntry key={n.notification_id} notification={n} onOpen={() => setOpen(false)} />
                ))}
              </ul>
            ))}
          <p className="bell-foot">
            <Link to="/notifications">All notifications</Link>
          </p>
        </div>
      )}
    </div>
  );
}

/** A notification of the shared list item (packages/ui) that marks itself read when opened. */
export function NotificationEntry({
  notification,
  onOpen,
  actions,
}: {
  notification: Notification;
  onOpen?: () => void;
  actions?: ReactNode;
}) {
  const markRead = useMarkReadMutation();
  return (
    <NotificationItem
      notification={notification}
      actions={actions}
      onOpen={(n) => {
        if (n.read_at === null) markRead.mutate({ notification_ids: [n.notification_id] });
        onOpen?.();
      }}
    />
  );
}

// The sentence the bell's live region says when new notifications arrive: one per batch, never on a page load, a
// mark-read or a refetch (those change the count, not the news).
function useNewNotificationsAnnouncement(): string {
  const [text, setText] = useState('');
  const batch = useRef<Notification[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useLiveEvent('notification', (data) => {
    const n = data as Notification;
    if (isStep(n.type)) return;
    batch.current.push(n);
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      const got = batch.current;
      batch.current = [];
      timer.current = undefined;
      setText(
        got.length === 1
          ? `New notification: ${describeNotification(got[0]!).text}`
          : `${got.length} new notifications`,
      );
    }, ANNOUNCE_BATCH_MS);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  return text;
}

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}
