import crypto from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  errors,
  ROLE_RANK,
  THREAD_PAGE_DEFAULT,
  type Comment,
  type CreateTaskBody,
  type CreateThreadBody,
  type Task,
  type Thread,
  type ThreadList,
  type ThreadPosition,
  type UpdateTaskBody,
} from '@hivesync/core';
import type { Database, Tx } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { MirrorStore, MirrorView } from '../repo/mirror.repository.js';
import { normalizeRepoPath } from '../repo/repo-path.js';
import { placeInPrepared, prepareFile, splitLines, tooCostly, type Anchor, type PreparedFile } from './anchoring.js';
import {
  ThreadsRepository,
  type CommentRow,
  type PositionRow,
  type TaskRow,
  type ThreadKey,
  type ThreadRow,
} from './threads.repository.js';

const MAX_FILE = 5 * 1024 * 1024;
/** The most lines, and bytes, a thread may be anchored to: re-placing a bigger anchor at every commit costs too much. */
export const MAX_ANCHOR_LINES = 200;
export const MAX_ANCHOR_BYTES = 16 * 1024;
/**
 * How long placing one thread at a new commit may keep the event loop (ms): past it the thread is `outdated`,
 * `too_costly`, and tried again at the next synced commit.
 */
export const REANCHOR_BUDGET_MS = 50;
// Threads per batch of the re-anchoring after a sync: one small query, then one thread per turn of the event loop.
const REANCHOR_BATCH = 50;
/** The name the assistant's comments and notifications carry (as the repository names AI comments' author). */
export const AI_AUTHOR_NAME = 'HiveSync AI';
const MENTION = /(^|[^\w@])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)/g;

type Base = Anchor & { commit: string; status: ThreadPosition['status']; reason: ThreadPosition['reason'] };

/**
 * Code comment threads anchored to lines, placed again by the server at every commit (the same place for every
 * client), and tasks. Viewers may read and comment; resolving takes the thread's author or a member.
 */
export class ThreadsService {
  readonly repo: ThreadsRepository;
  /** The time budget of placing one thread (ms); tests set it to 0 to see `too_costly`. */
  reanchorBudgetMs: number;

  constructor(
    private readonly db: Database,
    private readonly projects: ProjectsService,
    private readonly mirrors: MirrorStore,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly logger: Logger,
    options: { reanchorBudgetMs?: number } = {},
  ) {
    this.repo = new ThreadsRepository(db.orm);
    this.reanchorBudgetMs = options.reanchorBudgetMs ?? REANCHOR_BUDGET_MS;
  }

  private async mirror(projectId: string): Promise<MirrorView> {
    const view = await this.mirrors.current(projectId);
    if (!view) throw errors.repoNotSynced();
    return view;
  }

  private async commitOrCurrent(view: MirrorView, commit: string | undefined): Promise<string> {
    if (!commit || commit === view.commit) return view.commit;
    if (!(await this.mirrors.hasCommit(view, commit))) throw errors.notFound('commit');
    return commit;
  }

  async create(auth: AuthContext, projectId: string, body: CreateThreadBody): Promise<Thread> {
    await this.projects.requireProjectRole(auth, projectId, 'viewer');
    const path = normalizeRepoPath(body.path);
    const view = await this.mirror(projectId);
    const commit = await this.commitOrCurrent(view, body.commit);
    const content = await this.mirrors.readAt(view, commit, path, MAX_FILE);
    if (!content) throw errors.validation(`path: there is no file "${path}" at ${commit.slice(0, 7)}.`);
    const lines = splitLines(content.toString('utf8'));
    const end = body.end_line ?? body.start_line;
    if (end < body.start_line) throw errors.validation('end_line: must not be before start_line.');
    if (end > lines.length) throw errors.validation(`end_line: "${path}" has ${lines.length} lines.`);
    const count = end - body.start_line + 1;
    if (count > MAX_ANCHOR_LINES) {
      throw errors.payloadTooLarge(
        `A thread covers at most ${MAX_ANCHOR_LINES} lines; lines ${body.start_line}-${end} are ${count}. Start it on fewer lines.`,
      );
    }
    const text = lines.slice(body.start_line - 1, end).join('\n');
    if (Buffer.byteLength(text) > MAX_ANCHOR_BYTES) {
      throw errors.payloadTooLarge(
        `A thread covers at most ${MAX_ANCHOR_BYTES / 1024} KiB of code; lines ${body.start_line}-${end} are ${Buffer.byteLength(text)} bytes. Start it on fewer lines.`,
      );
    }
    const id = crypto.randomUUID();
    const thread = await this.db.transaction(async (tx) => {
      const row = await this.repo.insertThread(tx.orm, {
        id,
        projectId,
        state: 'open',
        path,
        commit,
        startLine: body.start_line,
        endLine: end,
        anchorText: text,
        symbol: body.symbol ?? null,
        createdBy: auth.userId,
      });
      await this.repo.insertComment(tx.orm, {
        id: crypto.randomUUID(),
        threadId: id,
        authorId: auth.userId,
        body: body.body,
      });
      await this.repo.savePosition(tx.orm, {
        threadId: id,
        commit,
        path,
        startLine: body.start_line,
        endLine: end,
        status: 'current',
        reason: null,
        text,
      });
      return row;
    });
    // Started at an older commit: placed at the current one now (one thread, within its budget), so that reads,
    // which never place threads, find it there.
    if (commit !== view.commit) await this.placeMany(view, [thread], view.commit);
    await this.notifyMentions(thread, auth.userId, body.body);
    return this.get(auth, id, undefined);
  }

  /**
   * A page of threads, with their stored positions and first comments, in one query. Reads never place threads
   * (the sync job does, see repositionAll): a thread with no position stored at `commit` shows its latest one
   * (`position.commit` says which), or its anchor.
   */
  async list(
    auth: AuthContext,
    projectId: string,
    query: {
      path?: string;
      state?: 'open' | 'resolved' | 'all';
      commit?: string;
      /** Only the threads the caller started or has a comment in. */
      mine?: boolean;
      limit?: number;
      cursor?: string;
    },
  ): Promise<ThreadList> {
    await this.projects.requireProjectRole(auth, projectId, 'viewer');
    const view = await this.mirrors.current(projectId);
    const commit = view ? await this.commitOrCurrent(view, query.commit) : undefined;
    const limit = query.limit ?? THREAD_PAGE_DEFAULT;
    const rows = await this.repo.listThreadsPage(projectId, {
      state: query.state === 'all' ? undefined : (query.state ?? 'open'),
      commit,
      path: query.path ? normalizeRepoPath(query.path) : undefined,
      participant: query.mine ? auth.userId : undefined,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      threads: page.map((row) => ({
        ...toThread(row.thread, row.position ? toPosition(row.position) : anchorPosition(row.thread), row.commentCount),
        first_comment: row.firstComment ? toComment(row.firstComment) : null,
      })),
      next_cursor: rows.length > limit ? encodeCursor(page.at(-1)!.key) : null,
    };
  }

  /**
   * A thread with its comments. At the mirror's current commit (the default) its stored position, as in lists; at
   * another commit its position there, placed now if it never was (one thread, within its time budget).
   */
  async get(auth: AuthContext, threadId: string, commit: string | undefined): Promise<Thread> {
    const row = await this.visibleThread(auth, threadId, 'viewer');
    const view = await this.mirrors.current(row.projectId);
    const position = view
      ? await this.positionAt(row, view, await this.commitOrCurrent(view, commit))
      : anchorPosition(row);
    const list = await this.repo.listComments(row.id);
    const comments = list.map(toComment);
    return {
      ...toThread(row, position, list.filter((c) => !c.deletedAt).length),
      first_comment: comments[0] ?? null,
      comments,
    };
  }

  async reply(auth: AuthContext, threadId: string, body: string): Promise<Thread> {
    const thread = await this.visibleThread(auth, threadId, 'viewer');
    const before = await this.repo.participants(thread.id);
    await this.repo.insertComment(this.db.orm, { id: crypto.randomUUID(), threadId, authorId: auth.userId, body });
    const mentioned = await this.notifyMentions(thread, auth.userId, body);
    const others = before.filter((id) => id !== auth.userId && !mentioned.includes(id));
    await this.notifications.notify({
      userIds: others,
      projectId: thread.projectId,
      type: 'thread_reply',
      payload: this.payload(thread, auth.userId),
    });
    return this.get(auth, threadId, undefined);
  }

  /**
   * An AI job's answer in a thread, as a comment of the HiveSync assistant (no author, marked with its job); the
   * thread's participants are notified as for any reply. In `tx` when given, so the answer, the job's completion and
   * the notifications commit together. Returns the comment's id.
   */
  async postAiComment(threadId: string, jobId: string, body: string, tx?: Tx): Promise<string> {
    // Inside `tx` every query goes through it: the embedded database's one connection is the transaction's.
    const orm = tx?.orm ?? this.db.orm;
    const thread = await this.repo.findThread(threadId, orm);
    if (!thread) return '';
    const id = crypto.randomUUID();
    await this.repo.insertComment(orm, { id, threadId, authorId: null, aiJobId: jobId, body });
    await this.notifications.notify(
      {
        userIds: await this.repo.participants(threadId, orm),
        projectId: thread.projectId,
        type: 'thread_reply',
        payload: {
          thread_id: thread.id,
          path: thread.path,
          line: thread.startLine,
          by_name: AI_AUTHOR_NAME,
          ai_job_id: jobId,
        },
      },
      tx,
    );
    return id;
  }

  async setState(auth: AuthContext, threadId: string, state: 'open' | 'resolved'): Promise<Thread> {
    const thread = await this.visibleThread(auth, threadId, 'viewer');
    const role = (await this.projects.requireProjectRole(auth, thread.projectId, 'viewer')).role;
    if (thread.createdBy !== auth.userId && ROLE_RANK[role] < ROLE_RANK.member) {
      throw errors.forbidden('Only the thread’s author or a project member can resolve or reopen it.');
    }
    await this.repo.setState(threadId, state, auth.userId);
    // Resolved threads are not re-anchored at syncs: a reopened one is placed at the current commit now.
    const view = state === 'open' ? await this.mirrors.current(thread.projectId) : undefined;
    if (view) await this.placeMany(view, [thread], view.commit);
    if (state === 'resolved') {
      const others = (await this.repo.participants(threadId)).filter((id) => id !== auth.userId);
      await this.notifications.notify({
        userIds: others,
        projectId: thread.projectId,
        type: 'thread_resolved',
        payload: this.payload(thread, auth.userId),
      });
    }
    return this.get(auth, threadId, undefined);
  }

  async editComment(auth: AuthContext, threadId: string, commentId: string, body: string): Promise<Thread> {
    await this.visibleThread(auth, threadId, 'viewer');
    const comment = await this.ownComment(auth, threadId, commentId);
    await this.repo.updateComment(comment.id, { body, editedAt: new Date() });
    return this.get(auth, threadId, undefined);
  }

  async deleteComment(auth: AuthContext, threadId: string, commentId: string): Promise<void> {
    const thread = await this.visibleThread(auth, threadId, 'viewer');
    const comment = await this.ownComment(auth, threadId, commentId);
    await this.repo.updateComment(comment.id, { body: '', deletedAt: new Date() });
    await this.audit.record({
      actorId: auth.userId,
      action: 'comment.deleted',
      target: { type: 'comment', id: commentId },
      projectId: thread.projectId,
      ip: auth.ip,
    });
  }

  /** The thread's author or a project admin deletes a whole thread. */
  async deleteThread(auth: AuthContext, threadId: string): Promise<void> {
    const thread = await this.visibleThread(auth, threadId, 'viewer');
    const { role } = await this.projects.requireProjectRole(auth, thread.projectId, 'viewer');
    if (thread.createdBy !== auth.userId && ROLE_RANK[role] < ROLE_RANK.admin) {
      throw errors.forbidden('Only the thread’s author or a project admin can delete it.');
    }
    await this.repo.deleteThread(threadId);
    await this.audit.record({
      actorId: auth.userId,
      action: 'thread.deleted',
      target: { type: 'thread', id: threadId },
      projectId: thread.projectId,
      ip: auth.ip,
      details: { path: thread.path, start_line: thread.startLine },
    });
  }

  /**
   * After a sync, in the sync job: every open thread of the project gets its position at the new commit. Threads
   * are taken in small batches and placed one per turn of the event loop, each within its time budget (past it:
   * `outdated`, `too_costly`), so that a sync re-anchoring thousands of threads never holds up requests.
   */
  async repositionAll(projectId: string, commit: string): Promise<number> {
    const view = await this.mirrors.current(projectId);
    if (!view || view.commit !== commit) return 0;
    const git = new GitMemo(this.mirrors, view);
    let placed = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.repo.openThreadsWithoutPosition(projectId, commit, after, REANCHOR_BATCH);
      if (batch.length === 0) break;
      // The embedded database answers within the same turn (its queries never wait on I/O), so queries in a row
      // would hold the event loop together: each gets a turn of its own.
      await nextTurn();
      await this.placeMany(view, batch, commit, git);
      placed += batch.length;
      after = batch.at(-1)!.id;
      if (batch.length < REANCHOR_BATCH) break;
      // A newer sync took over: it places the threads at its own commit.
      if ((await this.mirrors.current(projectId))?.commit !== commit) break;
    }
    return placed;
  }

  /** The thread's position at `commit`: stored, else at the current commit its latest one, else placed now. */
  private async positionAt(thread: ThreadRow, view: MirrorView, commit: string): Promise<ThreadPosition> {
    const stored = await this.repo.position(thread.id, commit);
    if (stored) return toPosition(stored);
    if (commit === view.commit) {
      // Not placed yet: the sync job is on it.
      const latest = await this.repo.latestPosition(thread.id);
      return latest ? toPosition(latest) : anchorPosition(thread);
    }
    return (await this.placeMany(view, [thread], commit)).get(thread.id) ?? anchorPosition(thread);
  }

  /**
   * Positions at `commit` of these threads, computed together and stored in one statement: one query for their
   * latest positions, git asked and each file diffed once per distinct commit pair and file (not per thread), and one
   * thread per turn of the event loop, each within the time budget. A thread that cannot be placed is logged and left
   * out.
   */
  private async placeMany(
    view: MirrorView,
    threads: ThreadRow[],
    commit: string,
    git = new GitMemo(this.mirrors, view),
  ): Promise<Map<string, ThreadPosition>> {
    const latest = await this.repo.latestPositions(threads.map((t) => t.id));
    if (threads.length > 1) await nextTurn();
    const rows: PositionRow[] = [];
    for (const thread of threads) {
      try {
        const last = latest.get(thread.id);
        // Follow the code step by step from where it was last seen, when that is an ancestor; else from the anchor
        // (also after a placement that was too costly: the anchor is always a sound base).
        const base: Base =
          last && last.commit !== commit && last.reason !== 'too_costly' && (await git.isAncestor(last.commit, commit))
            ? fromRow(last)
            : fromAnchor(thread);
        rows.push({ threadId: thread.id, commit, ...(await this.place(git, base, commit)), computedAt: new Date() });
      } catch (err) {
        this.logger.warn(
          { thread_id: thread.id, err: { message: (err as Error).message } },
          'could not place a thread',
        );
      }
      // Let requests in between threads.
      if (threads.length > 1) await nextTurn();
    }
    await this.repo.savePositions(
      this.db.orm,
      rows.map(({ computedAt: _, ...row }) => row),
    );
    return new Map(rows.map((r) => [r.threadId, toPosition(r)]));
  }

  private async place(
    git: GitMemo,
    base: Base,
    commit: string,
  ): Promise<Omit<PositionRow, 'threadId' | 'commit' | 'computedAt'>> {
    const keep = (status: Base['status'], reason: Base['reason']) => ({
      path: base.path,
      startLine: base.startLine,
      endLine: base.endLine,
      status,
      reason,
      text: base.text,
    });
    if (base.commit === commit) return keep(base.status, base.reason);
    if (base.status === 'outdated' && base.reason !== 'too_costly') return keep('outdated', base.reason);
    const change = await git.fileChange(base.commit, commit, base.path);
    if (change.kind === 'unchanged') return keep(base.status === 'current' ? 'current' : base.status, null);
    if (change.kind === 'deleted') return keep('outdated', 'file_deleted');
    const newPath = change.kind === 'renamed' ? change.path : base.path;
    const file = await git.prepared(base.commit, base.path, commit, newPath, this.reanchorBudgetMs);
    if (file === 'file_deleted') return keep('outdated', 'file_deleted');
    // The budget counts from here: the git reads and the file's diff (its own turn, its own budget) are behind us.
    const p = file
      ? placeInPrepared(file, base, newPath, { deadline: performance.now() + this.reanchorBudgetMs })
      : tooCostly(base, newPath);
    if (p.reason === 'too_costly') {
      this.logger.info({ path: newPath, commit, budget_ms: this.reanchorBudgetMs }, 'placing a thread took too long');
    }
    const status = p.status === 'current' && newPath !== base.path ? 'moved' : p.status;
    return { path: p.path, startLine: p.startLine, endLine: p.endLine, status, reason: p.reason, text: p.text };
  }

  private async visibleThread(auth: AuthContext, threadId: string, role: 'viewer'): Promise<ThreadRow> {
    const thread = await this.repo.findThread(threadId);
    if (!thread) throw errors.notFound('thread');
    await this.projects.requireProjectRole(auth, thread.projectId, role);
    return thread;
  }

  private async ownComment(auth: AuthContext, threadId: string, commentId: string) {
    const comment = await this.repo.findComment(threadId, commentId);
    if (!comment || comment.deletedAt) throw errors.notFound('comment');
    if (comment.authorId !== auth.userId) throw errors.forbidden('Only its author can change or delete a comment.');
    return comment;
  }

  /** Notifies the members a comment @mentions (by email, or by the part before @ when that is unambiguous). */
  private async notifyMentions(thread: ThreadRow, authorId: string, body: string): Promise<string[]> {
    const handles = [...body.matchAll(MENTION)].map((m) => m[2]!.toLowerCase());
    if (handles.length === 0) return [];
    const members = await this.repo.members(thread.projectId);
    const ids = new Set<string>();
    for (const handle of handles) {
      const exact = members.find((m) => m.email === handle);
      const byLocal = members.filter((m) => m.email.split('@')[0] === handle);
      const hit = exact ?? (byLocal.length === 1 ? byLocal[0] : undefined);
      if (hit && hit.id !== authorId) ids.add(hit.id);
    }
    await this.notifications.notify({
      userIds: [...ids],
      projectId: thread.projectId,
      type: 'thread_mention',
      payload: this.payload(thread, authorId),
    });
    return [...ids];
  }

  private payload(thread: ThreadRow, by: string) {
    return { thread_id: thread.id, path: thread.path, line: thread.startLine, by };
  }

  // ---- tasks ----

  async createTask(auth: AuthContext, projectId: string, body: CreateTaskBody): Promise<Task> {
    await this.projects.requireProjectRole(auth, projectId, 'member');
    await this.checkTaskLinks(projectId, body);
    const row = await this.repo.insertTask({
      id: crypto.randomUUID(),
      projectId,
      title: body.title,
      description: body.description ?? '',
      status: body.status ?? 'todo',
      assigneeId: body.assignee_id ?? null,
      threadId: body.thread_id ?? null,
      filePath: body.file ? normalizeRepoPath(body.file.path, 'file.path') : null,
      fileLine: body.file?.line ?? null,
      createdBy: auth.userId,
    });
    if (row.assigneeId && row.assigneeId !== auth.userId) await this.notifyAssignee(row, auth.userId);
    return toTask(row);
  }

  async listTasks(
    auth: AuthContext,
    projectId: string,
    query: { status?: TaskRow['status']; assignee_id?: string },
  ): Promise<Task[]> {
    await this.projects.requireProjectRole(auth, projectId, 'viewer');
    return (await this.repo.listTasks(projectId, { status: query.status, assigneeId: query.assignee_id })).map(toTask);
  }

  async getTask(auth: AuthContext, taskId: string): Promise<Task> {
    return toTask(await this.visibleTask(auth, taskId, 'viewer'));
  }

  async updateTask(auth: AuthContext, taskId: string, body: UpdateTaskBody): Promise<Task> {
    const task = await this.visibleTask(auth, taskId, 'member');
    await this.checkTaskLinks(task.projectId, body);
    const row = await this.repo.updateTask(taskId, {
      ...(body.title !== undefined && { title: body.title }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.status !== undefined && { status: body.status }),
      ...(body.assignee_id !== undefined && { assigneeId: body.assignee_id }),
      ...(body.thread_id !== undefined && { threadId: body.thread_id }),
      ...(body.file !== undefined && {
        filePath: body.file ? normalizeRepoPath(body.file.path, 'file.path') : null,
        fileLine: body.file?.line ?? null,
      }),
    });
    if (!row) throw errors.notFound('task');
    if (body.assignee_id && body.assignee_id !== task.assigneeId && body.assignee_id !== auth.userId)
      await this.notifyAssignee(row, auth.userId);
    return toTask(row);
  }

  async deleteTask(auth: AuthContext, taskId: string): Promise<void> {
    await this.visibleTask(auth, taskId, 'member');
    await this.repo.deleteTask(taskId);
  }

  private async visibleTask(auth: AuthContext, taskId: string, role: 'viewer' | 'member'): Promise<TaskRow> {
    const task = await this.repo.findTask(taskId);
    if (!task) throw errors.notFound('task');
    await this.projects.requireProjectRole(auth, task.projectId, role);
    return task;
  }

  private async checkTaskLinks(projectId: string, body: UpdateTaskBody): Promise<void> {
    if (body.assignee_id) {
      const members = await this.projects.memberIds(projectId);
      if (!members.includes(body.assignee_id)) throw errors.validation('assignee_id: must be a member of the project.');
    }
    if (body.thread_id) {
      const thread = await this.repo.findThread(body.thread_id);
      if (!thread || thread.projectId !== projectId)
        throw errors.validation('thread_id: no such thread in this project.');
    }
  }

  private async notifyAssignee(task: TaskRow, by: string): Promise<void> {
    await this.notifications.notify({
      userIds: [task.assigneeId!],
      projectId: task.projectId,
      type: 'task_assigned',
      payload: { task_id: task.id, title: task.title, by },
    });
  }
}

/** Git answers for one batch of placements, each asked once however many threads need it. */
class GitMemo {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly mirrors: MirrorStore,
    private readonly view: MirrorView,
  ) {}

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      this.cache.set(key, hit);
    }
    return hit;
  }

  isAncestor(older: string, newer: string): Promise<boolean> {
    return this.once(`a\0${older}\0${newer}`, () => this.mirrors.isAncestor(this.view, older, newer));
  }

  fileChange(from: string, to: string, path: string) {
    return this.once(`c\0${from}\0${to}\0${path}`, () => this.mirrors.fileChange(this.view, from, to, path));
  }

  /** A file's text at a commit (undefined when it is not there). */
  read(commit: string, path: string): Promise<string | undefined> {
    return this.once(`r\0${commit}\0${path}`, async () =>
      (await this.mirrors.readAt(this.view, commit, path, MAX_FILE))?.toString('utf8'),
    );
  }

  /**
   * A file's two versions split and diffed, once for every thread in that file (`file_deleted` when there is no
   * newer version; undefined when the diff took longer than `budgetMs`). The diff has a turn of the event loop to
   * itself: the first thread is placed in the next one.
   */
  prepared(
    from: string,
    fromPath: string,
    to: string,
    toPath: string,
    budgetMs: number,
  ): Promise<PreparedFile | 'file_deleted' | undefined> {
    return this.once(`p\0${from}\0${fromPath}\0${to}\0${toPath}`, async () => {
      const [before, after] = await Promise.all([this.read(from, fromPath), this.read(to, toPath)]);
      if (after === undefined) return 'file_deleted' as const;
      const file = prepareFile(before ?? '', after, { deadline: performance.now() + budgetMs });
      await nextTurn();
      return file;
    });
  }
}

/** A page cursor: the list key of the page's last thread, opaque to clients (base64url JSON). */
function encodeCursor(key: ThreadKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): ThreadKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === 4 &&
      typeof key[0] === 'string' &&
      Number.isInteger(key[1]) &&
      typeof key[2] === 'string' &&
      /^-?\d{1,20}$/.test(key[2]) &&
      typeof key[3] === 'string'
    ) {
      return key as ThreadKey;
    }
  } catch {
    // reported below
  }
  throw errors.validation('cursor: not a cursor this list returned; start again without it.');
}

function fromAnchor(t: ThreadRow): Base {
  return {
    commit: t.commit,
    path: t.path,
    startLine: t.startLine,
    endLine: t.endLine,
    text: t.anchorText,
    status: 'current',
    reason: null,
  };
}

function fromRow(p: PositionRow): Base {
  return {
    commit: p.commit,
    path: p.path,
    startLine: p.startLine,
    endLine: p.endLine,
    text: p.text,
    status: p.status,
    reason: p.reason,
  };
}

function anchorPosition(t: ThreadRow): ThreadPosition {
  return {
    commit: t.commit,
    path: t.path,
    start_line: t.startLine,
    end_line: t.endLine,
    status: 'current',
    reason: null,
  };
}

function toPosition(p: Omit<PositionRow, 'threadId'>): ThreadPosition {
  return {
    commit: p.commit,
    path: p.path,
    start_line: p.startLine,
    end_line: p.endLine,
    status: p.status,
    reason: p.reason,
  };
}

function toThread(t: ThreadRow, position: ThreadPosition, commentCount: number): Thread {
  return {
    thread_id: t.id,
    project_id: t.projectId,
    state: t.state,
    anchor: {
      path: t.path,
      commit: t.commit,
      start_line: t.startLine,
      end_line: t.endLine,
      text: t.anchorText,
      symbol: t.symbol,
    },
    position,
    created_by: t.createdBy,
    created_at: t.createdAt.toISOString(),
    resolved_at: t.resolvedAt?.toISOString() ?? null,
    comment_count: commentCount,
  };
}

function toComment(c: CommentRow): Comment {
  return {
    comment_id: c.id,
    thread_id: c.threadId,
    author_id: c.authorId,
    author_name: c.authorName,
    ai: c.aiJobId !== null,
    body: c.deletedAt ? '' : c.body,
    created_at: c.createdAt.toISOString(),
    edited_at: c.editedAt?.toISOString() ?? null,
    deleted: c.deletedAt !== null,
  };
}

function toTask(t: TaskRow): Task {
  return {
    task_id: t.id,
    project_id: t.projectId,
    title: t.title,
    description: t.description,
    status: t.status,
    assignee_id: t.assigneeId,
    thread_id: t.threadId,
    file: t.filePath ? { path: t.filePath, line: t.fileLine } : null,
    created_by: t.createdBy,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}
