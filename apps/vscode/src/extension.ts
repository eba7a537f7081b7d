import { isSyncProgress } from '@hivesync/sdk';
import * as vscode from 'vscode';
import type { NotificationAction } from '@hivesync/editor';
import { AiController } from './features/ai.js';
import { NotificationCenter } from './features/notifications.js';
import { SearchController } from './features/search.js';
import { StatusBar } from './features/status-bar.js';
import { SyncController } from './features/sync.js';
import { ThreadsController } from './features/threads.js';
import { PreviewController } from './preview/preview.js';
import { Session } from './services/session.js';
import { WorkspaceLink } from './services/workspace-link.js';
import { SCHEMES } from './settings.js';

/**
 * The HiveSync extension's entry point (see docs/vscode.md). Services are built in a fixed order (session, link,
 * then the features that read them), every disposable goes into context.subscriptions, and the commands are
 * registered last.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('HiveSync', { log: true });
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  own(log);
  const session = own(new Session(context.secrets, log));
  const link = own(new WorkspaceLink(context.workspaceState, session));
  const status = own(new StatusBar());
  const sync = own(new SyncController(session, link, status));
  const threads = own(new ThreadsController(session, link));
  const ai = own(new AiController(session, link));
  const search = own(new SearchController(session, link));
  const preview = own(new PreviewController(session, link));
  const act = async (action: NotificationAction) => {
    if (action.kind === 'thread') await threads.open(action.threadId);
    else if (action.kind === 'job') await ai.openJob(action.jobId);
    else if (action.kind === 'sync') await sync.showIdle();
  };
  const refreshAll = () => {
    void sync.showIdle();
    void threads.refresh();
    void ai.refresh();
  };
  const ownJob = (n: { payload: unknown }) => {
    const jobId = (n.payload as { job_id?: unknown }).job_id;
    return typeof jobId === 'string' && ai.ownJobs.has(jobId);
  };
  const notifications = own(new NotificationCenter(session, status, act, refreshAll, ownJob));

  own(vscode.workspace.registerTextDocumentContentProvider(SCHEMES.suggestion, ai));
  own(vscode.workspace.registerTextDocumentContentProvider(SCHEMES.mirror, search));
  own(vscode.languages.registerCodeLensProvider({ scheme: 'file' }, ai));
  own(vscode.window.registerTreeDataProvider('hivesync.threads', threads));
  own(vscode.window.registerTreeDataProvider('hivesync.searchResults', search));

  const setContext = () => {
    void vscode.commands.executeCommand('setContext', 'hivesync.signedIn', session.user !== undefined);
    void vscode.commands.executeCommand('setContext', 'hivesync.linked', link.project !== undefined);
  };
  own(
    session.onDidChange(async () => {
      setContext();
      notifications.restart();
      await link.autoLink();
      setContext();
      refreshAll();
    }),
  );
  own(
    link.onDidChange(() => {
      setContext();
      refreshAll();
    }),
  );
  own(
    notifications.onLiveEvent((event) => {
      if (isSyncProgress(event)) sync.liveProgress(event.data);
      else preview.liveEvent(event);
    }),
  );
  own(
    sync.onDidComplete(() => {
      void threads.refresh();
      void ai.refresh();
      notifications.pollNow();
    }),
  );
  own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('hivesync.serverUrl') || e.affectsConfiguration('hivesync.connection'))
        void session.restore();
    }),
  );
  // Threads are placed at the checked-out commit: a checkout or pull moves them.
  const head = vscode.workspace.createFileSystemWatcher('**/.git/HEAD');
  own(head);
  own(head.onDidChange(() => void threads.refresh()));

  const command = (id: string, run: (...args: never[]) => unknown) => own(vscode.commands.registerCommand(id, run));
  command('hivesync.signIn', () => session.signIn());
  command('hivesync.signOut', () => session.signOut());
  command('hivesync.linkProject', () => link.pick());
  command('hivesync.sync', () => sync.sync());
  command('hivesync.threads.refresh', () => threads.refresh());
  command('hivesync.threads.create', (reply: vscode.CommentReply) => threads.create(reply));
  command('hivesync.threads.reply', (reply: vscode.CommentReply) => threads.reply(reply));
  command('hivesync.threads.resolve', (thread: vscode.CommentThread) => threads.setState(thread, true));
  command('hivesync.threads.reopen', (thread: vscode.CommentThread) => threads.setState(thread, false));
  command('hivesync.threads.open', (id: string) => threads.open(id));
  command('hivesync.documentFunction', (uri?: vscode.Uri, line?: number) =>
    ai.documentFunction(uri instanceof vscode.Uri ? uri : undefined, typeof line === 'number' ? line : undefined),
  );
  command('hivesync.renameSymbol', () => ai.renameSymbol());
  command('hivesync.refactorSelection', () => ai.refactorSelection());
  command('hivesync.suggestion.open', (id?: string) => ai.openSuggestionById(id));
  command('hivesync.suggestion.approve', (id?: unknown) => ai.approve(id));
  command('hivesync.suggestion.reject', (id?: unknown) => ai.reject(id));
  command('hivesync.suggestion.apply', (id?: unknown) => ai.apply(id));
  command('hivesync.search', (text?: string) => search.search(typeof text === 'string' ? text : undefined));
  command('hivesync.search.open', (match: Parameters<SearchController['openMatch']>[0]) => search.openMatch(match));
  command('hivesync.notifications.show', () => notifications.showList());
  command('hivesync.notifications.markAllRead', () => notifications.markAllRead());
  command('hivesync.sendPreview', () => preview.send());
  command('hivesync.showLog', () => log.show());

  setContext();
  log.info(`activated in ${Date.now() - started} ms`);
  // Signing in quietly may wait on the network: after activation, not during it.
  void session.restore();
}

/** Nothing to do: everything is in context.subscriptions. */
export function deactivate(): void {}
