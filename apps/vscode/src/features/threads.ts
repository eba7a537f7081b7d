import type { Comment as ApiComment, Thread } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { errorText } from '../common/errors.js';
import {
  commentMarkdown,
  isOutdated,
  threadLabel,
  threadLines,
  threadPath,
  threadsByPath,
  threadSummary,
} from '@hivesync/editor';
import type { Session } from '../services/session.js';
import type { WorkspaceLink } from '../services/workspace-link.js';

/** A VS Code comment made from one of the API's. */
class ThreadComment implements vscode.Comment {
  mode = vscode.CommentMode.Preview;
  body: vscode.MarkdownString;
  author: vscode.CommentAuthorInformation;
  timestamp: Date;
  label: string | undefined;
  contextValue: string;

  constructor(thread: Thread, comment: ApiComment, first: boolean) {
    this.body = new vscode.MarkdownString(commentMarkdown(thread, comment, first));
    this.body.supportHtml = false;
    this.author = { name: comment.ai ? `${comment.author_name} (AI)` : comment.author_name };
    this.timestamp = new Date(comment.created_at);
    this.label = comment.edited_at ? 'edited' : undefined;
    this.contextValue = comment.deleted ? 'deleted' : 'comment';
  }
}

/**
 * The project's comment threads through VS Code's Comments API: one controller, threads of the checked-out commit in
 * the gutter of their files, a cache from the API's thread id to the editor's thread (so reply, resolve and reopen
 * find the thread they act on), and the Threads view.
 */
export class ThreadsController implements vscode.Disposable, vscode.TreeDataProvider<ThreadNode> {
  private readonly controller = vscode.comments.createCommentController('hivesync', 'HiveSync');
  private readonly shown = new Map<string, { ui: vscode.CommentThread; thread: Thread }>();
  private readonly byUi = new WeakMap<vscode.CommentThread, string>();
  private threads: Thread[] = [];
  private readonly treeChanged = new vscode.EventEmitter<ThreadNode | undefined>();
  readonly onDidChangeTreeData = this.treeChanged.event;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly session: Session,
    private readonly link: WorkspaceLink,
  ) {
    this.controller.options = {
      prompt: 'Write a comment (Markdown)…',
      placeHolder: 'Markdown: **bold**, `code`, @mentions',
    };
    this.controller.commentingRangeProvider = {
      provideCommentingRanges: (document) => {
        if (!this.link.repoPath(document.uri)) return [];
        return [new vscode.Range(0, 0, Math.max(0, document.lineCount - 1), 0)];
      },
    };
  }

  /** The threads loaded last (all states), for the view and for tests of the editor. */
  get all(): readonly Thread[] {
    return this.threads;
  }

  /** Loads the project's threads at the checked-out commit (the mirror's when it does not know that commit). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const project = this.link.project;
    if (!project || !this.session.user) {
      this.clear();
      return;
    }
    const client = this.session.client;
    const head = await this.link.head();
    let list: Thread[];
    try {
      try {
        list = (await client.threads.list(project.id, { state: 'all', ...(head && { commit: head }) })).threads;
      } catch (err) {
        // A commit the mirror has not seen (local commits not pushed, or not synced yet): place them at the mirror's.
        if (!head || !(err && typeof err === 'object' && 'status' in err && (err.status === 400 || err.status === 404)))
          throw err;
        list = (await client.threads.list(project.id, { state: 'all' })).threads;
      }
    } catch (err) {
      if (this.session.isOffline(err)) this.session.log.warn(`threads: ${errorText(err)}`);
      else if (!(err && typeof err === 'object' && 'code' in err && err.code === 'repo_not_synced'))
        this.session.report(err, 'loading threads');
      return;
    }
    this.threads = list;
    const seen = new Set<string>();
    for (const thread of list) {
      seen.add(thread.thread_id);
      this.show(thread);
    }
    for (const [id, entry] of this.shown) {
      if (!seen.has(id)) {
        entry.ui.dispose();
        this.shown.delete(id);
      }
    }
    this.treeChanged.fire(undefined);
  }

  /** Puts a thread in the gutter of its file (or updates it there). */
  private show(thread: Thread, comments?: ApiComment[]): vscode.CommentThread | undefined {
    const uri = this.link.localUri(threadPath(thread));
    if (!uri) return undefined;
    const lines = threadLines(thread);
    const range = new vscode.Range(lines.start, 0, lines.end, 0);
    const list = comments ?? thread.comments ?? (thread.first_comment ? [thread.first_comment] : []);
    const existing = this.shown.get(thread.thread_id);
    let ui = existing?.ui;
    if (ui && ui.uri.toString() !== uri.toString()) {
      ui.dispose();
      ui = undefined;
    }
    if (!ui) {
      ui = this.controller.createCommentThread(uri, range, []);
      this.byUi.set(ui, thread.thread_id);
    }
    ui.range = range;
    ui.label = threadLabel(thread);
    ui.contextValue = thread.state === 'resolved' ? 'resolved' : 'open';
    ui.state = thread.state === 'resolved' ? vscode.CommentThreadState.Resolved : vscode.CommentThreadState.Unresolved;
    ui.canReply = thread.state === 'open';
    ui.comments = list.map((c, i) => new ThreadComment(thread, c, i === 0));
    if (!existing) ui.collapsibleState = vscode.CommentThreadCollapsibleState.Collapsed;
    this.shown.set(thread.thread_id, { ui, thread: { ...thread, comments: list } });
    // The list gives only the first comment: fetch the rest of threads that have replies.
    if (comments === undefined && thread.comments === undefined && thread.comment_count > 1)
      void this.loadComments(thread.thread_id);
    return ui;
  }

  private async loadComments(threadId: string): Promise<void> {
    try {
      const head = await this.link.head();
      const full = await this.getThread(threadId, head);
      this.show(full, full.comments);
    } catch (err) {
      this.session.log.warn(`thread ${threadId}: ${errorText(err)}`);
    }
  }

  private async getThread(threadId: string, commit: string | undefined): Promise<Thread> {
    try {
      return await this.session.client.threads.get(threadId, commit ? { commit } : {});
    } catch (err) {
      if (commit && err && typeof err === 'object' && 'status' in err && (err.status === 400 || err.status === 404))
        return this.session.client.threads.get(threadId);
      throw err;
    }
  }

  /** "Start Thread" on the lines the user selected in the gutter. */
  async create(reply: vscode.CommentReply): Promise<void> {
    const project = this.link.require();
    const path = this.link.repoPath(reply.thread.uri);
    if (!project || !path || !reply.thread.range) return;
    const head = await this.link.head();
    const body = {
      path,
      start_line: reply.thread.range.start.line + 1,
      end_line: reply.thread.range.end.line + 1,
      body: reply.text,
    };
    let thread: Thread;
    try {
      try {
        thread = await this.session.client.threads.create(project.id, { ...body, ...(head && { commit: head }) });
      } catch (err) {
        if (
          !head ||
          !(
            err &&
            typeof err === 'object' &&
            'status' in err &&
            (err.status === 400 || err.status === 404 || err.status === 409)
          )
        )
          throw err;
        thread = await this.session.client.threads.create(project.id, body);
      }
    } catch (err) {
      this.session.report(err, 'starting the thread');
      return;
    }
    reply.thread.dispose();
    this.threads = [...this.threads, thread];
    const ui = this.show(thread);
    if (ui) ui.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    this.treeChanged.fire(undefined);
  }

  /** Replies (Markdown) to a thread. */
  async reply(reply: vscode.CommentReply): Promise<void> {
    const id = this.byUi.get(reply.thread);
    if (!id) return this.create(reply);
    try {
      const updated = await this.session.client.threads.reply(id, reply.text);
      const full = updated.comments ? updated : await this.getThread(id, await this.link.head());
      this.show(full, full.comments);
      this.replaceInList(full);
    } catch (err) {
      this.session.report(err, 'replying');
    }
  }

  /** Resolves or reopens a thread. */
  async setState(ui: vscode.CommentThread, resolve: boolean): Promise<void> {
    const id = this.byUi.get(ui);
    if (!id) return;
    try {
      const client = this.session.client;
      await (resolve ? client.threads.resolve(id) : client.threads.reopen(id));
      const full = await this.getThread(id, await this.link.head());
      this.show(full, full.comments);
      this.replaceInList(full);
    } catch (err) {
      this.session.report(err, resolve ? 'resolving the thread' : 'reopening the thread');
    }
  }

  /** Opens a thread's file at its lines with the thread expanded (from the view or a notification). */
  async open(threadId: string): Promise<void> {
    let entry = this.shown.get(threadId);
    if (!entry) {
      await this.refresh();
      entry = this.shown.get(threadId);
    }
    if (!entry) {
      try {
        const thread = await this.getThread(threadId, await this.link.head());
        this.show(thread, thread.comments);
        entry = this.shown.get(threadId);
      } catch (err) {
        this.session.report(err, 'opening the thread');
        return;
      }
    }
    if (!entry) return;
    await this.loadComments(threadId);
    const { ui, thread } = entry;
    const lines = threadLines(thread);
    try {
      await vscode.window.showTextDocument(ui.uri, {
        selection: new vscode.Range(lines.start, 0, lines.start, 0),
        preview: false,
      });
    } catch {
      void vscode.window.showWarningMessage(`HiveSync: ${threadPath(thread)} is not in this working copy.`);
    }
    ui.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
  }

  private replaceInList(thread: Thread): void {
    this.threads = this.threads.map((t) => (t.thread_id === thread.thread_id ? thread : t));
    this.treeChanged.fire(undefined);
  }

  /** Removes every thread (signed out, unlinked). */
  clear(): void {
    for (const { ui } of this.shown.values()) ui.dispose();
    this.shown.clear();
    this.threads = [];
    this.treeChanged.fire(undefined);
  }

  // The Threads view: files, then their threads.
  getChildren(node?: ThreadNode): ThreadNode[] {
    if (!node) {
      return [...threadsByPath(this.threads)]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([path, threads]) => ({ kind: 'file', path, threads }));
    }
    if (node.kind === 'file') {
      return [...node.threads]
        .sort((a, b) => threadLines(a).start - threadLines(b).start)
        .map((thread) => ({ kind: 'thread', thread }));
    }
    return [];
  }

  getTreeItem(node: ThreadNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.path, vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = this.link.localUri(node.path);
      item.iconPath = vscode.ThemeIcon.File;
      item.description = `${node.threads.length}`;
      return item;
    }
    const { label, description } = threadSummary(node.thread);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.description = description;
    item.tooltip = `${threadLabel(node.thread)}\n${description}`;
    item.iconPath = new vscode.ThemeIcon(
      isOutdated(node.thread) ? 'warning' : node.thread.state === 'resolved' ? 'pass' : 'comment-discussion',
    );
    item.contextValue = node.thread.state;
    item.command = { command: 'hivesync.threads.open', title: 'Open Thread', arguments: [node.thread.thread_id] };
    return item;
  }

  dispose(): void {
    this.clear();
    this.controller.dispose();
    this.treeChanged.dispose();
  }
}

/** A node of the Threads view. */
export type ThreadNode = { kind: 'file'; path: string; threads: Thread[] } | { kind: 'thread'; thread: Thread };
