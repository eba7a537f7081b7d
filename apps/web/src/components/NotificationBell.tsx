/** The header's bell with the unread count (built by the notifications work). */
export function NotificationBell() {
  return null;
}
