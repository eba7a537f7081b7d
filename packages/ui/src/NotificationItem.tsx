import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Notification } from '@hivesync/sdk';
import { formatWhen } from './format.js';
import { describeNotification } from './notifications.js';
import './notification.css';

/**
 * One notification in a list: what happened as text (never as HTML), when, whether it is unread, and a link to its
 * screen. `onOpen` is told when it is opened (the apps mark it read there).
 */
export function NotificationItem({
  notification: n,
  onOpen,
  actions,
}: {
  notification: Notification;
  onOpen?: (notification: Notification) => void;
  actions?: ReactNode;
}) {
  const view = describeNotification(n);
  const unread = n.read_at === null;
  const text = (
    <>
      {unread && <span className="visually-hidden">Unread: </span>}
      {view.text}
    </>
  );
  return (
    <li className={unread ? 'notification unread' : 'notification'}>
      <span className="notification-dot" aria-hidden="true" />
      <div className="notification-body">
        {view.href ? (
          <Link to={view.href} onClick={() => onOpen?.(n)} className="notification-text">
            {text}
          </Link>
        ) : (
          <span className="notification-text">{text}</span>
        )}
        <time className="muted small" dateTime={n.created_at}>
          {formatWhen(n.created_at)}
        </time>
      </div>
      {actions}
    </li>
  );
}
