import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentDir, openSecretStore, startAgent, type RunningAgent, type SecretStore } from '@hivesync/agent';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  safeStorage,
  shell,
  Tray,
  type IpcMainInvokeEvent,
} from 'electron';
import { IPC } from './ipc.js';
import { SafeStorageSecretStore } from './keychain.js';
import { appMenuTemplate } from './menu.js';
import { showNotification } from './notifications.js';
import { loadSettings } from './settings.js';
import { trayMenuTemplate, trayView } from './tray.js';

// The main process stays thin: a window, the tray, the keychain, folder pickers and the agent. Everything the user
// sees is the renderer, served by the agent (dist/renderer) and talking to it through packages/sdk.
const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '../renderer');
const PRELOAD = path.join(here, 'preload.cjs');
const ICON = path.join(here, '../../build/icon.png');

let agent: RunningAgent | undefined;
let window: BrowserWindow | undefined;
let tray: Tray | undefined;
let unread = { count: 0, signedIn: false };
let quitting = false;

/** Opens a screen of the renderer (`#/projects/…`), bringing the window up. */
function open(hash: string): void {
  const win = showWindow();
  win.webContents.send(IPC.navigate, hash);
}

function showWindow(): BrowserWindow {
  if (!window || window.isDestroyed()) window = createWindow();
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  return window;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 820,
    title: 'HiveSync',
    icon: ICON,
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  // The renderer is the agent's page only: links elsewhere open in the user's browser, never in this window.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!agent || !url.startsWith(agent.url)) event.preventDefault();
  });
  // Closing the window keeps the app (and the agent the editors use) in the tray.
  win.on('close', (event) => {
    if (!quitting) {
      event.preventDefault();
      win.hide();
    }
  });
  // Each load gets a fresh one-time URL: its token is spent for the HttpOnly cookie the page then uses.
  if (agent) void win.loadURL(agent.launchUrl());
  return win;
}

/** The agent's secret store: the OS keychain through safeStorage, else the agent's own (keyring library, 0600 file). */
async function secretStore(dir: string): Promise<SecretStore> {
  const store = SafeStorageSecretStore.open(safeStorage, dir);
  if (!('problem' in store)) return store;
  const fallback = await openSecretStore(dir);
  console.warn(`HiveSync: ${store.problem}; the session is kept in ${fallback.where}.`);
  return fallback;
}

function updateTray(): void {
  const view = trayView(unread.count, unread.signedIn);
  app.setBadgeCount(view.badge);
  if (!tray) return;
  tray.setToolTip(view.tooltip);
  if (process.platform === 'darwin') tray.setTitle(view.title);
  tray.setContextMenu(
    Menu.buildFromTemplate(trayMenuTemplate(unread.count, unread.signedIn, { open, quit: () => app.quit() })),
  );
}

// Only the agent's own page may use the bridge.
function fromRenderer(event: IpcMainInvokeEvent): boolean {
  return agent !== undefined && event.senderFrame?.url.startsWith(agent.url) === true;
}

async function pickFolder(): Promise<string | null> {
  const options = { title: 'Choose a folder to map', properties: ['openDirectory' as const] };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => showWindow());
  await app.whenReady();

  const settings = await loadSettings(process.argv, app.getPath('userData'));
  const dir = agentDir();
  try {
    agent = await startAgent({
      serverUrl: settings.serverUrl,
      dir,
      secretStore: await secretStore(dir),
      uiDir: RENDERER_DIR,
      userAgent: `hivesync-desktop/${app.getVersion()}`,
    });
  } catch (err) {
    dialog.showErrorBox('HiveSync cannot start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }

  ipcMain.handle(IPC.pickFolder, (event) => (fromRenderer(event) ? pickFolder() : null));
  ipcMain.handle(IPC.notify, (event, request: unknown) =>
    fromRenderer(event)
      ? showNotification(request, {
          supported: () => Notification.isSupported(),
          show: (options, onClick) => {
            const n = new Notification(options);
            n.on('click', onClick);
            n.show();
          },
          focusWindow: () => void showWindow(),
          navigate: (hash) => window?.webContents.send(IPC.navigate, hash),
        })
      : false,
  );
  ipcMain.handle(IPC.setUnread, (event, count: unknown, signedIn: unknown) => {
    if (!fromRenderer(event) || typeof count !== 'number' || !Number.isInteger(count) || count < 0) return;
    unread = { count, signedIn: signedIn === true };
    updateTray();
  });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(process.platform, {
        open,
        quit: () => app.quit(),
        pickAndMapFolder: () => open('#/folders'),
      }),
    ),
  );
  tray = new Tray(nativeImage.createFromPath(ICON));
  tray.on('click', () => showWindow());
  updateTray();
  showWindow();

  app.on('activate', () => showWindow());
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    // Kept running in the tray: editors keep using the agent.
  });
  app.on('will-quit', (event) => {
    if (!agent) return;
    event.preventDefault();
    const running = agent;
    agent = undefined;
    void running.stop().finally(() => app.quit());
  });
}

void main();
