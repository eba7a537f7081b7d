import * as vscode from 'vscode';

/** The extension's setting keys, as package.json declares them (under `hivesync.`). */
export const SETTINGS = {
  serverUrl: 'serverUrl',
  connection: 'connection',
  codeLens: 'codeLens',
  notificationsEnabled: 'notifications.enabled',
  pauseWhenUnfocusedMinutes: 'notifications.pauseWhenUnfocusedMinutes',
  previewPlatform: 'preview.platform',
  previewDirectory: 'preview.directory',
} as const;

/** Reads one of the extension's settings. */
export function setting<T>(key: (typeof SETTINGS)[keyof typeof SETTINGS], fallback: T): T {
  return vscode.workspace.getConfiguration('hivesync').get<T>(key, fallback);
}

/** The server URL setting, without a trailing slash. */
export function serverUrl(): string {
  return setting(SETTINGS.serverUrl, 'http://127.0.0.1:8080').trim().replace(/\/+$/, '');
}

/** The URI schemes of the extension's virtual documents. */
export const SCHEMES = {
  /** `hivesync-suggestion:/<suggestion id>/<before|after>/<path>`: one side of a suggestion's diff. */
  suggestion: 'hivesync-suggestion',
  /** `hivesync-mirror:/<project id>/<commit>/<path>`: a file of the server's mirror, read-only. */
  mirror: 'hivesync-mirror',
} as const;
