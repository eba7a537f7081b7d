import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate } from './menu.js';
import { showNotification } from './notifications.js';
import { screenHash } from './routes.js';
import { standInNotifier } from './test/electron-stand-in.js';
import { trayMenuTemplate, trayView } from './tray.js';

const labels = (items: MenuItemConstructorOptions[]) => items.map((i) => i.label ?? i.role ?? i.type);
const click = (items: MenuItemConstructorOptions[], label: string) => {
  const item = items.find((i) => i.label === label);
  if (!item?.click) throw new Error(`no item ${label}`);
  (item.click as () => void)();
};

describe('the tray', () => {
  it('shows the unread count in the tooltip, the title and the badge, capped at 99+', () => {
    expect(trayView(0, true)).toEqual({ tooltip: 'HiveSync: no unread notifications', title: '', badge: 0 });
    expect(trayView(1, true)).toEqual({ tooltip: 'HiveSync: 1 unread notification', title: '1', badge: 1 });
    expect(trayView(7, true).tooltip).toBe('HiveSync: 7 unread notifications');
    expect(trayView(250, true)).toEqual({ tooltip: 'HiveSync: 99+ unread notifications', title: '99+', badge: 100 });
    expect(trayView(5, false)).toEqual({ tooltip: 'HiveSync: not signed in', title: '', badge: 0 });
    expect(() => trayView(-1, true)).toThrow(RangeError);
    expect(() => trayView(1.5, true)).toThrow(RangeError);
  });

  it('has a menu whose first item opens the notifications (or the sign-in), and Quit', () => {
    const opened: string[] = [];
    let quit = false;
    const actions = { open: (h: string) => opened.push(h), quit: () => (quit = true) };
    const menu = trayMenuTemplate(3, true, actions);
    expect(labels(menu)).toEqual([
      '3 unread — show',
      'separator',
      'Projects and folders',
      'Health check',
      'separator',
      'Quit HiveSync',
    ]);
    click(menu, '3 unread — show');
    click(menu, 'Health check');
    click(menu, 'Quit HiveSync');
    expect(opened).toEqual(['#/notifications', '#/health']);
    expect(quit).toBe(true);
    expect(labels(trayMenuTemplate(0, true, actions))[0]).toBe('No unread notifications');
    const signedOut = trayMenuTemplate(0, false, actions);
    click(signedOut, 'Sign in…');
    expect(opened.at(-1)).toBe('#/');
  });
});

describe('the application menu', () => {
  const actions = () => {
    const done: string[] = [];
    return {
      done,
      open: (h: string) => done.push(`open ${h}`),
      pickAndMapFolder: () => done.push('map'),
      quit: () => done.push('quit'),
    };
  };

  it('puts Quit in the app menu on macOS and under File elsewhere', () => {
    const mac = appMenuTemplate('darwin', actions());
    expect(labels(mac)).toEqual(['HiveSync', 'File', 'editMenu', 'viewMenu', 'windowMenu']);
    const macFile = mac[1]!.submenu as MenuItemConstructorOptions[];
    expect(labels(macFile)).not.toContain('Quit');
    const linux = appMenuTemplate('linux', actions());
    expect(labels(linux)).toEqual(['File', 'editMenu', 'viewMenu', 'windowMenu']);
    expect(labels(linux[0]!.submenu as MenuItemConstructorOptions[])).toEqual([
      'Map a Folder…',
      'Projects',
      'Notifications',
      'Health Check',
      'separator',
      'Quit',
    ]);
  });

  it('maps a folder and opens the screens from File, with their shortcuts', () => {
    const a = actions();
    const file = appMenuTemplate('win32', a)[0]!.submenu as MenuItemConstructorOptions[];
    expect(file.find((i) => i.label === 'Map a Folder…')?.accelerator).toBe('CmdOrCtrl+O');
    for (const label of ['Map a Folder…', 'Notifications', 'Quit']) click(file, label);
    expect(a.done).toEqual(['map', 'open #/notifications', 'quit']);
  });
});

describe('native notifications', () => {
  it('open the thread, suggestion or preview they are about when clicked', () => {
    const deps = standInNotifier();
    const links = [
      ['/projects/p1/threads/t1', '#/projects/p1/threads/t1'],
      ['/projects/p1/ai/j1', '#/projects/p1/ai/j1'],
      ['/projects/p1/previews/v-1', '#/projects/p1/previews/v-1'],
    ];
    for (const [href] of links) {
      expect(showNotification({ title: 'HiveSync', body: 'Bee replied', href }, deps)).toBe(true);
    }
    for (const n of deps.shown) n.click();
    expect(deps.events).toEqual(links.flatMap(([, hash]) => ['focus', `navigate ${hash}`]));
  });

  it('never let a payload send the window elsewhere: an unknown link opens the notifications', () => {
    for (const href of [
      'https://evil.example/',
      'javascript:alert(1)',
      '/projects/p1/../../etc',
      '//evil',
      '/settings',
    ]) {
      expect(screenHash(href), href).toBeNull();
    }
    const deps = standInNotifier();
    showNotification({ title: 'HiveSync', body: 'x', href: 'https://evil.example/' }, deps);
    showNotification({ title: 'HiveSync', body: 'system', href: null }, deps);
    for (const n of deps.shown) n.click();
    expect(deps.events).toEqual(['focus', 'navigate #/notifications', 'focus', 'navigate #/notifications']);
  });

  it('refuses malformed requests, cuts long text, and shows nothing where notifications are unsupported', () => {
    const deps = standInNotifier();
    for (const bad of [
      null,
      'text',
      { title: '', body: 'b', href: null },
      { title: 't', body: 1, href: null },
      { title: 't', body: 'b' },
    ]) {
      expect(showNotification(bad, deps)).toBe(false);
    }
    expect(showNotification({ title: 'T'.repeat(500), body: 'B'.repeat(5000), href: null }, deps)).toBe(true);
    expect(deps.shown[0]!.title).toHaveLength(120);
    expect(deps.shown[0]!.body).toHaveLength(300);
    expect(showNotification({ title: 't', body: 'b', href: null }, standInNotifier(false))).toBe(false);
  });
});
