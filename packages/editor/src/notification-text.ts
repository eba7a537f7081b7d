import type { AiAction, Notification } from '@hivesync/sdk';

/** What a notification's button does. */
export type NotificationAction =
  | { title: 'Open Thread'; kind: 'thread'; threadId: string; path?: string; line?: number }
  | { title: 'View Suggestion'; kind: 'job'; jobId: string }
  | { title: 'Sync Details'; kind: 'sync' }
  | { title: 'Open Preview'; kind: 'preview'; previewId: string };

/** A notification as VS Code shows it: the message, how loud, and its buttons. */
export interface ShownNotification {
  message: string;
  severity: 'info' | 'warning' | 'error';
  actions: NotificationAction[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

const ACTIONS: Record<AiAction, string> & Record<string, string | undefined> = {
  document_function: 'Documenting a function',
  document_file: 'Documenting a file',
  summarize_file: 'Summarizing a file',
  rename_symbol: 'The rename',
  refactor: 'The refactor',
  explain: 'Explaining a thread’s code',
  suggest_fix: 'Suggesting a fix in a thread',
};

/** The words and buttons of one notification; undefined for the ones an editor does not show (steps, previews'). */
export function describeNotification(n: Notification): ShownNotification | undefined {
  const p = n.payload as Record<string, unknown>;
  const by = str(p.by_name) ?? 'Someone';
  const project = str(p.project_name);
  const inProject = project ? ` in ${project}` : '';
  const where = str(p.path) ? ` on ${str(p.path)}${num(p.line) ? `:${num(p.line)}` : ''}` : '';
  const thread = (): NotificationAction[] =>
    str(p.thread_id)
      ? [
          {
            title: 'Open Thread',
            kind: 'thread',
            threadId: str(p.thread_id)!,
            ...(str(p.path) && { path: str(p.path) }),
            ...(num(p.line) && { line: num(p.line) }),
          },
        ]
      : [];
  const job = (): NotificationAction[] =>
    str(p.job_id) ? [{ title: 'View Suggestion', kind: 'job', jobId: str(p.job_id)! }] : [];
  switch (n.type) {
    case 'thread_reply':
      return { message: `${by} replied to a thread${where}${inProject}.`, severity: 'info', actions: thread() };
    case 'thread_mention':
      return { message: `${by} mentioned you${where}${inProject}.`, severity: 'info', actions: thread() };
    case 'thread_resolved':
      return { message: `${by} resolved a thread${where}${inProject}.`, severity: 'info', actions: thread() };
    case 'thread_created':
      return { message: `${by} started a thread${where}${inProject}.`, severity: 'info', actions: thread() };
    case 'ai_job_completed': {
      const what = ACTIONS[str(p.action) ?? ''] ?? 'The AI job';
      const has = num(p.suggestions) !== 0;
      return {
        message: `${what}${inProject} is done${has ? ': a suggestion is ready for review' : ', with nothing to suggest'}.`,
        severity: 'info',
        actions: has ? job() : [],
      };
    }
    case 'ai_job_failed':
      return {
        message: `${ACTIONS[str(p.action) ?? ''] ?? 'The AI job'}${inProject} failed (${str(p.error_code) ?? 'error'}).`,
        severity: 'error',
        actions: job(),
      };
    case 'repo_sync_success':
      return {
        message: `Sync${inProject} finished at ${(str(p.commit) ?? '').slice(0, 7)}.`,
        severity: 'info',
        actions: [],
      };
    case 'repo_sync_failed':
      return {
        message: `Sync${inProject} failed (${str(p.error_code) ?? 'error'}).`,
        severity: 'error',
        actions: [{ title: 'Sync Details', kind: 'sync' }],
      };
    case 'task_assigned':
      return { message: `${by} assigned you a task${inProject}: ${str(p.title) ?? ''}`, severity: 'info', actions: [] };
    case 'project_member_added':
      return {
        message: `${str(p.added_by_name) ?? 'Someone'} added you to ${project ?? 'a project'}.`,
        severity: 'info',
        actions: [],
      };
    case 'system_maintenance_warning':
      return { message: `Maintenance: ${str(p.message) ?? ''}`, severity: 'warning', actions: [] };
    case 'preview_consumed':
      return { message: `A device opened your preview${inProject}.`, severity: 'info', actions: [] };
    default:
      return undefined;
  }
}

/** The unread count after a batch: the notifications not read yet, each counted once. */
export class UnreadSet {
  private readonly ids = new Set<string>();

  /** Adds the unread ones of a batch, drops the read ones; returns the count. */
  update(batch: readonly Notification[]): number {
    for (const n of batch) {
      if (n.read_at === null) this.ids.add(n.notification_id);
      else this.ids.delete(n.notification_id);
    }
    return this.ids.size;
  }

  /** Forgets these (they were marked read); returns the count. */
  markRead(ids: readonly string[]): number {
    for (const id of ids) this.ids.delete(id);
    return this.ids.size;
  }

  clear(): void {
    this.ids.clear();
  }

  get size(): number {
    return this.ids.size;
  }

  get all(): string[] {
    return [...this.ids];
  }
}

/** The longest wait between polls while the server cannot be reached, in seconds. */
export const OFFLINE_POLL_SECONDS = 120;

/**
 * Seconds until the next poll after `failures` failed polls in a row: the server's interval while it answers, then
 * 15, 30, 60 and 120 seconds (and a longer Retry-After when the server sent one).
 */
export function nextPollSeconds(failures: number, serverInterval: number, retryAfter?: number): number {
  if (failures === 0) return serverInterval;
  const backoff = Math.min(OFFLINE_POLL_SECONDS, 15 * 2 ** (failures - 1));
  return Math.max(retryAfter ?? 0, backoff);
}

/**
 * Lets one "session expired" prompt through until the user signs in again, however many calls fail meanwhile.
 */
export class OncePrompt {
  private shown = false;

  /** True the first time after construction or reset(). */
  take(): boolean {
    if (this.shown) return false;
    this.shown = true;
    return true;
  }

  reset(): void {
    this.shown = false;
  }
}
