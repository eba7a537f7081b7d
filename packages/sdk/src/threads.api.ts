import type {
  AiJob,
  CreateTaskBody,
  CreateThreadBody,
  Task,
  TaskList,
  TaskStatus,
  Thread,
  ThreadAiAction,
  ThreadList,
  UpdateTaskBody,
} from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

/** Query of GET /projects/{id}/threads. */
export interface ListThreadsParams {
  /** Only threads whose code is in this file at the commit (where it is now, not where it was written). */
  path?: string;
  /** `open` by default; `all` for both. */
  state?: 'open' | 'resolved' | 'all';
  /** Only the threads the caller started or has a comment in. */
  mine?: boolean;
  /** Place the threads at this full 40-character commit hash; the mirror's current commit when omitted. */
  commit?: string;
  /** Threads per page, 1 to 100 (the server's default is 50). */
  limit?: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string;
}

/** Query of GET /threads/{id}. */
export interface GetThreadParams {
  /** Place the thread at this full 40-character commit hash; the mirror's current commit when omitted. */
  commit?: string;
}

/** Query of GET /projects/{id}/tasks. */
export interface ListTasksParams {
  status?: TaskStatus;
  /** Only the tasks assigned to this user id. */
  assignee_id?: string;
}

const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;
const threadPath = (id: string) => `/threads/${encodeURIComponent(id)}`;
const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

/**
 * /projects/{id}/threads and /threads: code comment threads anchored to lines of a file. `anchor` is where a thread
 * was written; `position` is where that code is at the requested commit (`current`, `moved`, `edited`, or
 * `outdated` with a `reason`), computed by the server so that every client shows it in the same place. Viewers may
 * read and comment.
 */
export class ThreadsApi {
  constructor(private readonly transport: Transport) {}

  /**
   * A project's threads (open ones by default), each at its stored position at the commit. With `limit` or `cursor`:
   * that one page, with `next_cursor` for the next. Without either: every thread, page after page (`next_cursor`
   * is then null), as before the list had pages.
   */
  async list(projectId: string, params: ListThreadsParams = {}, opts?: RequestOptions): Promise<ThreadList> {
    const first = await this.page(projectId, params, opts);
    if (params.limit !== undefined || params.cursor !== undefined || !first.next_cursor) return first;
    const threads = [...first.threads];
    for await (const thread of this.listAll(projectId, { ...params, cursor: first.next_cursor }, opts)) {
      threads.push(thread);
    }
    return { threads, next_cursor: null };
  }

  /**
   * Every thread that matches, page after page (`limit` is the page size): follows `next_cursor` until the last
   * page, fetching a page only when the previous one is used up.
   */
  async *listAll(
    projectId: string,
    params: ListThreadsParams = {},
    opts?: RequestOptions,
  ): AsyncGenerator<Thread, void, undefined> {
    let cursor = params.cursor;
    do {
      const page = await this.page(projectId, { ...params, ...(cursor !== undefined && { cursor }) }, opts);
      yield* page.threads;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  private page(projectId: string, params: ListThreadsParams, opts?: RequestOptions): Promise<ThreadList> {
    return this.transport.json<ThreadList>(
      { method: 'GET', path: `${projectPath(projectId)}/threads`, query: { ...params } },
      opts,
    );
  }

  /** Starts a thread on lines of a file (at the mirror's current commit unless `commit` says otherwise). */
  create(projectId: string, body: CreateThreadBody, opts?: RequestOptions): Promise<Thread> {
    return this.transport.json<Thread>({ method: 'POST', path: `${projectPath(projectId)}/threads`, body }, opts);
  }

  /** One thread with its comments, placed at the commit. */
  get(threadId: string, params: GetThreadParams = {}, opts?: RequestOptions): Promise<Thread> {
    return this.transport.json<Thread>({ method: 'GET', path: threadPath(threadId), query: { ...params } }, opts);
  }

  /** Adds a comment; the thread's other participants are notified (`thread_reply`), @mentioned members too. */
  reply(threadId: string, body: string, opts?: RequestOptions): Promise<Thread> {
    return this.transport.json<Thread>(
      { method: 'POST', path: `${threadPath(threadId)}/replies`, body: { body } },
      opts,
    );
  }

  /**
   * Asks the HiveSync assistant about a thread (member role): `explain` its lines, or `suggest_fix` (needs a
   * language-model provider). Answers the queued AI job (follow it with `client.ai.waitForJob`); its answer is posted
   * in the thread as a comment with `ai: true`, naming the suggestion when it made a patch.
   */
  ask(projectId: string, threadId: string, action: ThreadAiAction, opts?: RequestOptions): Promise<AiJob> {
    return this.transport.json<AiJob>(
      {
        method: 'POST',
        path: `${projectPath(projectId)}/threads/${encodeURIComponent(threadId)}/ai`,
        body: { action },
      },
      opts,
    );
  }

  /** Resolves a thread (its author or a member). */
  resolve(threadId: string, opts?: RequestOptions): Promise<Thread> {
    return this.transport.json<Thread>({ method: 'POST', path: `${threadPath(threadId)}/resolve` }, opts);
  }

  /** Reopens a resolved thread (its author or a member). */
  reopen(threadId: string, opts?: RequestOptions): Promise<Thread> {
    return this.transport.json<Thread>({ method: 'POST', path: `${threadPath(threadId)}/reopen` }, opts);
  }

  /** Changes the text of one of your comments. */
  editComment(threadId: string, commentId: string, body: string, opts?: RequestOptions): Promise<Thread> {
    return this.transport.json<Thread>(
      {
        method: 'PATCH',
        path: `${threadPath(threadId)}/comments/${encodeURIComponent(commentId)}`,
        body: { body },
      },
      opts,
    );
  }

  /** Deletes one of your comments (it stays in the thread as `deleted`, without its text). */
  async deleteComment(threadId: string, commentId: string, opts?: RequestOptions): Promise<void> {
    await this.transport.json<undefined>(
      { method: 'DELETE', path: `${threadPath(threadId)}/comments/${encodeURIComponent(commentId)}` },
      opts,
    );
  }

  /** Deletes a whole thread (its author or a project admin). */
  async delete(threadId: string, opts?: RequestOptions): Promise<void> {
    await this.transport.json<undefined>({ method: 'DELETE', path: threadPath(threadId) }, opts);
  }
}

/** /projects/{id}/tasks and /tasks: a project's tasks, optionally linked to a thread or a file. */
export class TasksApi {
  constructor(private readonly transport: Transport) {}

  /** A project's tasks. */
  list(projectId: string, params: ListTasksParams = {}, opts?: RequestOptions): Promise<TaskList> {
    return this.transport.json<TaskList>(
      { method: 'GET', path: `${projectPath(projectId)}/tasks`, query: { ...params } },
      opts,
    );
  }

  /** Creates a task (member role); an assignee other than the caller is notified (`task_assigned`). */
  create(projectId: string, body: CreateTaskBody, opts?: RequestOptions): Promise<Task> {
    return this.transport.json<Task>({ method: 'POST', path: `${projectPath(projectId)}/tasks`, body }, opts);
  }

  /** One task. */
  get(taskId: string, opts?: RequestOptions): Promise<Task> {
    return this.transport.json<Task>({ method: 'GET', path: taskPath(taskId) }, opts);
  }

  /** Changes a task (member role); `assignee_id: null` unassigns it, and a new assignee is notified. */
  update(taskId: string, body: UpdateTaskBody, opts?: RequestOptions): Promise<Task> {
    return this.transport.json<Task>({ method: 'PATCH', path: taskPath(taskId), body }, opts);
  }

  /** Deletes a task (member role). */
  async delete(taskId: string, opts?: RequestOptions): Promise<void> {
    await this.transport.json<undefined>({ method: 'DELETE', path: taskPath(taskId) }, opts);
  }
}
