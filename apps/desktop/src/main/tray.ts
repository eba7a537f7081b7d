import type { MenuItemConstructorOptions } from 'electron';

/** What the tray shows for an unread count. */
export interface TrayView {
  /** The tooltip (every platform). */
  tooltip: string;
  /** Beside the icon on macOS's menu bar: the count, or nothing. */
  title: string;
  /** The dock or taskbar badge count (0 hides it). */
  badge: number;
}

/** The most the badge counts before it says "99+". */
export const MAX_BADGE = 99;

/** The tray's tooltip, title and badge for `unread` notifications (negative or fractional counts are refused). */
export function trayView(unread: number, signedIn: boolean): TrayView {
  if (!Number.isInteger(unread) || unread < 0) throw new RangeError(`unread must be a count, not ${unread}`);
  if (!signedIn) return { tooltip: 'HiveSync: not signed in', title: '', badge: 0 };
  const shown = unread > MAX_BADGE ? `${MAX_BADGE}+` : String(unread);
  return {
    tooltip:
      unread === 0
        ? 'HiveSync: no unread notifications'
        : `HiveSync: ${shown} unread notification${unread === 1 ? '' : 's'}`,
    title: unread === 0 ? '' : shown,
    badge: Math.min(unread, MAX_BADGE + 1),
  };
}

/** What the tray menu's items do. */
export interface TrayActions {
  open(hash: string): void;
  quit(): void;
}

/** The tray's menu: the unread count (opening the notifications), the main screens, and Quit. */
export function trayMenuTemplate(
  unread: number,
  signedIn: boolean,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const view = trayView(unread, signedIn);
  return [
    signedIn
      ? {
          label: unread === 0 ? 'No unread notifications' : `${view.title} unread — show`,
          click: () => actions.open('#/notifications'),
        }
      : { label: 'Sign in…', click: () => actions.open('#/') },
    { type: 'separator' },
    { label: 'Projects and folders', click: () => actions.open('#/projects') },
    { label: 'Health check', click: () => actions.open('#/health') },
    { type: 'separator' },
    { label: 'Quit HiveSync', click: () => actions.quit() },
  ];
}
