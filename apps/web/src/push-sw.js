// The web app's push service worker: shows each Web Push message the server sends (encrypted to this browser) as a
// notification, and opens its screen when clicked. Registered by lib/web-push.ts under /assets/; it controls no page.
/* global self */

self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : '' };
  }
  const data = message.data && typeof message.data === 'object' ? message.data : {};
  event.waitUntil(
    self.registration.showNotification(message.title || 'HiveSync', {
      body: message.body || '',
      data,
      // One notification per HiveSync notification, even if a retry delivers it twice.
      tag: typeof data.notification_id === 'string' ? data.notification_id : undefined,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = event.notification.data && event.notification.data.url;
  // Only a path of this app: never another origin, whatever a message says.
  const url = typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') ? path : '/notifications';
  event.waitUntil(self.clients.openWindow(new URL(url, self.location.origin).href));
});
