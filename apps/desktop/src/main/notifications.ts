import { screenHash } from './routes.js';

/** A native notification the renderer asks for (through the preload bridge). */
export interface NotifyRequest {
  title: string;
  body: string;
  /** The screen a click opens, as the shared notification list links it (`/projects/:id/threads/:threadId`…). */
  href: string | null;
}

/** What showing a notification needs from Electron (Notification, the window); a stand-in in tests. */
export interface NotifierDeps {
  supported(): boolean;
  show(options: { title: string; body: string }, onClick: () => void): void;
  /** Brings the window to the front (restoring it from the tray). */
  focusWindow(): void;
  /** Opens a screen of the renderer. */
  navigate(hash: string): void;
}

/** The longest title and body shown (a notification's text comes from the server's payload). */
const MAX_TITLE = 120;
const MAX_BODY = 300;

/**
 * Shows the renderer's notifications natively; a click brings the window up on the item's screen (a thread, a
 * suggestion, a preview). Returns false, showing nothing, when the request is malformed or notifications are not
 * supported here.
 */
export function showNotification(request: unknown, deps: NotifierDeps): boolean {
  if (!isNotifyRequest(request) || !deps.supported()) return false;
  const hash = request.href === null ? null : screenHash(request.href);
  deps.show({ title: request.title.slice(0, MAX_TITLE), body: request.body.slice(0, MAX_BODY) }, () => {
    deps.focusWindow();
    deps.navigate(hash ?? '#/notifications');
  });
  return true;
}

function isNotifyRequest(value: unknown): value is NotifyRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.title === 'string' &&
    v.title.trim() !== '' &&
    typeof v.body === 'string' &&
    (v.href === null || typeof v.href === 'string')
  );
}
