import * as vscode from 'vscode';

/** What the main status bar item says: signed out, not linked, offline, syncing, or the last sync. */
export type StatusState =
  | { kind: 'signed_out' }
  | { kind: 'not_linked' }
  | { kind: 'offline'; project?: string }
  | { kind: 'project'; project: string; text: string; spinning?: boolean; error?: string; proxied: boolean };

/** The two status bar items: the project with its sync state (click: sync), and the unread notifications. */
export class StatusBar implements vscode.Disposable {
  private readonly main = vscode.window.createStatusBarItem('hivesync.status', vscode.StatusBarAlignment.Left, 50);
  private readonly bell = vscode.window.createStatusBarItem(
    'hivesync.notifications',
    vscode.StatusBarAlignment.Right,
    100,
  );
  private offline = false;
  private last: StatusState = { kind: 'signed_out' };

  constructor() {
    this.main.name = 'HiveSync';
    this.bell.name = 'HiveSync notifications';
    this.bell.command = 'hivesync.notifications.show';
    this.render();
    this.main.show();
  }

  /** Sets what the main item says. */
  set(state: StatusState): void {
    this.last = state;
    this.render();
  }

  /** Marks the server unreachable (or reachable again). */
  setOffline(offline: boolean): void {
    if (this.offline === offline) return;
    this.offline = offline;
    this.render();
  }

  get isOffline(): boolean {
    return this.offline;
  }

  /** Shows the unread count (hidden when signed out). */
  setUnread(count: number | undefined): void {
    if (count === undefined) {
      this.bell.hide();
      return;
    }
    this.bell.text = count > 0 ? `$(bell-dot) ${count}` : '$(bell)';
    const label =
      count > 0
        ? `HiveSync: ${count} unread notification${count === 1 ? '' : 's'}`
        : 'HiveSync: no unread notifications';
    this.bell.tooltip = label;
    this.bell.accessibilityInformation = { label };
    this.bell.show();
  }

  private render(): void {
    const s = this.last;
    this.main.backgroundColor = undefined;
    if (this.offline && s.kind !== 'signed_out') {
      this.main.text = '$(cloud-offline) HiveSync: offline';
      this.main.tooltip = 'The HiveSync server cannot be reached. Retrying every 2 minutes at most; nothing is lost.';
      this.main.command = 'hivesync.showLog';
      return;
    }
    switch (s.kind) {
      case 'signed_out':
        this.main.text = '$(account) HiveSync: sign in';
        this.main.tooltip = 'Sign in to HiveSync';
        this.main.command = 'hivesync.signIn';
        break;
      case 'not_linked':
        this.main.text = '$(link) HiveSync: link';
        this.main.tooltip = 'Link this workspace to a HiveSync project';
        this.main.command = 'hivesync.linkProject';
        break;
      case 'offline':
        this.main.text = '$(cloud-offline) HiveSync: offline';
        this.main.command = 'hivesync.showLog';
        break;
      case 'project':
        this.main.text = `${s.spinning ? '$(sync~spin)' : s.error ? '$(error)' : '$(sync)'} ${s.project}: ${s.text}`;
        this.main.tooltip = new vscode.MarkdownString(
          `**HiveSync** · ${s.project}${s.proxied ? ' · through the local agent' : ''}\n\n${s.error ?? s.text}\n\nClick to sync with the remote.`,
        );
        this.main.command = 'hivesync.sync';
        if (s.error) this.main.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
  }

  dispose(): void {
    this.main.dispose();
    this.bell.dispose();
  }
}
