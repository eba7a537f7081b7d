import { z } from 'zod';
import { CommitHash, RepoPath } from './repo.js';
import { Id, Timestamp } from './common.js';

/** Where a thread stands at a commit: where its code is, or why it is gone. */
export const AnchorStatus = z.enum(['current', 'moved', 'edited', 'outdated']);
export type AnchorStatus = z.infer<typeof AnchorStatus>;

export const ThreadPosition = z
  .object({
    commit: z.string(),
    path: z.string(),
    start_line: z.number().int(),
    end_line: z.number().int(),
    status: AnchorStatus,
    /**
     * Why a thread is outdated: its lines were deleted, or its file was; `too_costly` when placing it took longer
     * than its time budget (it is tried again at the next synced commit).
     */
    reason: z.enum(['deleted', 'file_deleted', 'too_costly']).nullable(),
  })
  .meta({ id: 'ThreadPosition' });
export type ThreadPosition = z.infer<typeof ThreadPosition>;

export const Comment = z
  .object({
    comment_id: Id,
    thread_id: Id,
    author_id: Id.nullable(),
    author_name: z.string(),
    /** True for a comment an AI job posted. */
    ai: z.boolean(),
    body: z.string(),
    created_at: Timestamp,
    edited_at: Timestamp.nullable(),
    deleted: z.boolean(),
  })
  .meta({ id: 'Comment' });
export type Comment = z.infer<typeof Comment>;

export const Thread = z
  .object({
    thread_id: Id,
    project_id: Id,
    state: z.enum(['open', 'resolved']),
    anchor: z.object({
      path: z.string(),
      commit: z.string(),
      start_line: z.number().int(),
      end_line: z.number().int(),
      text: z.string(),
      symbol: z.string().nullable(),
    }),
    /** Where the anchored code is at the requested commit (the mirror's current one by default). */
    position: ThreadPosition,
    created_by: Id.nullable(),
    created_at: Timestamp,
    resolved_at: Timestamp.nullable(),
    comment_count: z.number().int(),
    /** The comment that started the thread (in lists too, so a client needs no request per thread). */
    first_comment: Comment.nullable().optional(),
    comments: z.array(Comment).optional(),
  })
  .meta({ id: 'Thread' });
export type Thread = z.infer<typeof Thread>;

const Body = z.string().trim().min(1, { message: 'must not be empty' }).max(20_000);

export const CreateThreadBody = z
  .object({
    path: RepoPath.min(1),
    start_line: z.number().int().min(1),
    end_line: z.number().int().min(1).optional(),
    commit: CommitHash.optional(),
    symbol: z.string().max(200).optional(),
    body: Body,
  })
  .meta({ id: 'CreateThreadBody' });
export type CreateThreadBody = z.infer<typeof CreateThreadBody>;

/** Threads per page of GET /projects/{id}/threads when `limit` is not given, and the most a page holds. */
export const THREAD_PAGE_DEFAULT = 50;
export const THREAD_PAGE_MAX = 100;

export const ListThreadsQuery = z.object({
  path: RepoPath.optional(),
  state: z.enum(['open', 'resolved', 'all']).optional(),
  /** `true` (or `1`): only the threads the caller started or has a comment in (not deleted). */
  mine: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  commit: CommitHash.optional(),
  /** Threads per page: 1 to 100, 50 by default. */
  limit: z.coerce.number().int().min(1).max(THREAD_PAGE_MAX).optional(),
  /** The `next_cursor` of the previous page. */
  cursor: z
    .string()
    .max(2000)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});
export type ListThreadsQuery = z.infer<typeof ListThreadsQuery>;

export const ThreadList = z
  .object({
    threads: z.array(Thread),
    /** Pass as `cursor` for the next page; null on the last one. */
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'ThreadList' });
export type ThreadList = z.infer<typeof ThreadList>;

export const ThreadParams = z.object({ id: Id });
export const CommentParams = z.object({ id: Id, comment_id: Id });
export const ThreadQuery = z.object({ commit: CommitHash.optional() });
export const CommentBody = z.object({ body: Body }).meta({ id: 'CommentBody' });
export type CommentBody = z.infer<typeof CommentBody>;

export const TaskStatus = z.enum(['todo', 'in_progress', 'done']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Task = z
  .object({
    task_id: Id,
    project_id: Id,
    title: z.string(),
    description: z.string(),
    status: TaskStatus,
    assignee_id: Id.nullable(),
    thread_id: Id.nullable(),
    file: z.object({ path: z.string(), line: z.number().int().nullable() }).nullable(),
    created_by: Id.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Task' });
export type Task = z.infer<typeof Task>;

export const CreateTaskBody = z
  .object({
    title: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
    description: z.string().max(20_000).optional(),
    status: TaskStatus.optional(),
    assignee_id: Id.nullable().optional(),
    thread_id: Id.nullable().optional(),
    file: z
      .object({ path: RepoPath.min(1), line: z.number().int().min(1).nullable().optional() })
      .nullable()
      .optional(),
  })
  .meta({ id: 'CreateTaskBody' });
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;

export const UpdateTaskBody = CreateTaskBody.partial().meta({ id: 'UpdateTaskBody' });
export type UpdateTaskBody = z.infer<typeof UpdateTaskBody>;

export const TaskList = z.object({ tasks: z.array(Task) }).meta({ id: 'TaskList' });
export type TaskList = z.infer<typeof TaskList>;

export const ListTasksQuery = z.object({
  status: TaskStatus.optional(),
  assignee_id: Id.optional(),
});

export const AuditEntry = z
  .object({
    id: z.string(),
    at: Timestamp,
    actor_id: Id.nullable(),
    actor_email: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    project_id: Id.nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.strictObject({
  actor: z.string().max(254).optional(),
  /** Case-insensitive text anywhere in the entry (action, actor email, target, ip, details). */
  q: z.string().min(1).max(200).optional(),
  /** `csv` answers text/csv with every matching row of the page (use a large `limit` for an export). */
  format: z.enum(['json', 'csv']).optional(),
  action: z.string().max(100).optional(),
  project_id: Id.optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z
  .object({ entries: z.array(AuditEntry), next_cursor: z.string().nullable() })
  .meta({ id: 'AuditPage' });
export type AuditPage = z.infer<typeof AuditPage>;
