// The renderer's few native powers, and nothing else: it gets no Node, no ipcRenderer, only these functions. A
// sandboxed preload can require only `electron`, so the channel names are written here as in ipc.ts.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

const IPC = {
  pickFolder: 'hivesync:pick-folder',
  notify: 'hivesync:notify',
  setUnread: 'hivesync:set-unread',
  navigate: 'hivesync:navigate',
} as const;

contextBridge.exposeInMainWorld('hivesyncDesktop', {
  /** The native folder picker: the chosen folder's absolute path, or null when cancelled. */
  pickFolder: (): Promise<string | null> => ipcRenderer.invoke(IPC.pickFolder),
  /** A native notification; a click opens `href` (a screen of the app) in this window. */
  notify: (notification: { title: string; body: string; href: string | null }): Promise<boolean> =>
    ipcRenderer.invoke(IPC.notify, notification),
  /** The tray's and the badge's unread count. */
  setUnreadCount: (count: number, signedIn: boolean): Promise<void> =>
    ipcRenderer.invoke(IPC.setUnread, count, signedIn),
  /** Called with a route (`#/projects/…`) when a notification, the tray or the menu opens a screen. */
  onNavigate: (listener: (hash: string) => void): (() => void) => {
    const handler = (_event: IpcRendererEvent, hash: string) => listener(hash);
    ipcRenderer.on(IPC.navigate, handler);
    return () => ipcRenderer.removeListener(IPC.navigate, handler);
  },
});
