import type { MenuItemConstructorOptions } from 'electron';

/** What the application menu's own items do. */
export interface AppMenuActions {
  open(hash: string): void;
  pickAndMapFolder(): void;
  quit(): void;
}

/**
 * The application menu: on macOS the app menu first (with Quit there), elsewhere Quit under File. Edit and View use
 * Electron's roles, so copy, paste, zoom and reload behave as on every app of the platform.
 */
export function appMenuTemplate(platform: NodeJS.Platform, actions: AppMenuActions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Map a Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.pickAndMapFolder() },
      { label: 'Projects', accelerator: 'CmdOrCtrl+1', click: () => actions.open('#/projects') },
      { label: 'Notifications', accelerator: 'CmdOrCtrl+2', click: () => actions.open('#/notifications') },
      { label: 'Health Check', accelerator: 'CmdOrCtrl+3', click: () => actions.open('#/health') },
      ...(mac ? [] : [{ type: 'separator' } as const, { label: 'Quit', accelerator: 'Ctrl+Q', click: actions.quit }]),
    ],
  };
  return [
    ...(mac
      ? [
          {
            label: 'HiveSync',
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { type: 'separator' },
              { label: 'Quit HiveSync', accelerator: 'Cmd+Q', click: actions.quit },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    file,
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
}
