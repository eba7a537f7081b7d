import type { Project, Sync } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { isCancelled } from '../common/errors.js';
import { syncErrorText, syncStageText } from '@hivesync/editor';
import type { Session } from '../services/session.js';
import type { WorkspaceLink } from '../services/workspace-link.js';
import type { StatusBar } from './status-bar.js';

/** "Sync with Remote": starts a sync of the linked project and shows each stage in the status bar. */
export class SyncController implements vscode.Disposable {
  private running: AbortController | undefined;
  private lastError: string | undefined;
  /** The last sync this window followed itself (its own events need no second look). */
  private followed: string | undefined;
  /** Fired after a sync completed (threads and searches then read the new commit). */
  private readonly completed = new vscode.EventEmitter<Sync>();
  readonly onDidComplete = this.completed.event;

  constructor(
    private readonly session: Session,
    private readonly link: WorkspaceLink,
    private readonly status: StatusBar,
  ) {}

  /** Shows the linked project's state (its last sync) in the status bar. */
  async showIdle(): Promise<void> {
    const project = this.link.project;
    if (!this.session.user) return this.status.set({ kind: 'signed_out' });
    if (!project) return this.status.set({ kind: 'not_linked' });
    if (this.running) return;
    let text = project.last_commit ? `synced ${project.last_commit.slice(0, 7)}` : 'not synced yet';
    let error: string | undefined;
    try {
      const { syncs } = await this.session.client.repo.listSyncs(project.id, { limit: 1 });
      const last = syncs[0];
      if (last?.status === 'failed') {
        text = 'last sync failed';
        error = syncErrorText(last);
      } else if (last && last.status !== 'completed') {
        return void this.follow(project, last);
      }
    } catch {
      // The status bar keeps what the project says; the poller reports being offline.
    }
    this.status.set({ kind: 'project', project: project.name, text, error, proxied: this.session.proxied });
  }

  /**
   * A sync's stage from the event stream (`sync_progress`): syncs this window did not start (another member's, the
   * schedule's) show in the status bar as they happen too, and a completed one re-reads what depends on the commit.
   */
  liveProgress(sync: Sync): void {
    const project = this.link.project;
    if (!project || sync.project_id !== project.id || this.running || this.followed === sync.sync_id) return;
    if (sync.status === 'completed') {
      void this.session.client.projects
        .get(project.id)
        .then((p) => this.link.update(p))
        .catch(() => undefined)
        .then(() => this.showIdle());
      this.completed.fire(sync);
      return;
    }
    if (sync.status === 'failed') {
      void this.showIdle();
      return;
    }
    this.status.set({
      kind: 'project',
      project: project.name,
      text: syncStageText(sync),
      spinning: true,
      proxied: this.session.proxied,
    });
  }

  /** The command. */
  async sync(): Promise<void> {
    const project = this.link.require();
    if (!project) return;
    if (this.running) {
      void vscode.window.showInformationMessage(`HiveSync: ${project.name} is already syncing.`);
      return;
    }
    let sync: Sync;
    try {
      sync = await this.session.client.repo.sync(project.id);
    } catch (err) {
      this.session.report(err, 'starting the sync');
      return;
    }
    await this.follow(project, sync);
  }

  private async follow(project: Project, sync: Sync): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    this.followed = sync.sync_id;
    const show = (s: Sync) =>
      this.status.set({
        kind: 'project',
        project: project.name,
        text: syncStageText(s),
        spinning: s.status !== 'completed' && s.status !== 'failed',
        proxied: this.session.proxied,
      });
    show(sync);
    try {
      const done = await this.session.client.repo.waitForSync(sync.sync_id, {
        onProgress: show,
        signal: controller.signal,
      });
      if (done.status === 'failed') {
        this.lastError = syncErrorText(done);
        this.status.set({
          kind: 'project',
          project: project.name,
          text: 'sync failed',
          error: this.lastError,
          proxied: this.session.proxied,
        });
        void vscode.window.showErrorMessage(`HiveSync: the sync of ${project.name} failed. ${this.lastError}`);
      } else {
        this.lastError = undefined;
        show(done);
        try {
          this.link.update(await this.session.client.projects.get(project.id));
        } catch {
          // The next status refresh reads it.
        }
        this.completed.fire(done);
        void vscode.window.setStatusBarMessage(
          `HiveSync: ${project.name} synced at ${done.commit?.slice(0, 7) ?? ''}`,
          5000,
        );
      }
    } catch (err) {
      if (!isCancelled(err)) this.session.report(err, 'following the sync');
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  dispose(): void {
    this.running?.abort();
    this.completed.dispose();
  }
}
