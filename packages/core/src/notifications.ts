import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** Every notification type the system emits (docs/API.md, Notifications; docs/EVENTS.md). */
export const NOTIFICATION_TYPES = [
  'ai_job_queued',
  'ai_job_started',
  'ai_job_completed',
  'ai_job_failed',
  'preview_token_created',
  'preview_bundle_uploaded',
  'preview_ready',
  'preview_consumed',
  'preview_expired',
  'repo_sync_started',
  'repo_sync_success',
  'repo_sync_failed',
  'system_maintenance_warning',
  'worker_unavailable',
  'system_health_issue',
  'resource_limit_warning',
  'project_member_added',
  'thread_created',
  'thread_reply',
  'thread_mention',
  'thread_resolved',
  'task_assigned',
  'account_login_throttled',
] as const;
export const NotificationType = z.enum(NOTIFICATION_TYPES);
export type NotificationType = z.infer<typeof NotificationType>;

export const Notification = z
  .object({
    notification_id: Id,
    user_id: Id,
    project_id: Id.nullable(),
    type: NotificationType,
    payload: z.record(z.string(), z.unknown()),
    created_at: Timestamp,
    read_at: Timestamp.nullable(),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

/** Poll interval in seconds while the caller has nothing queued or running. */
export const POLL_INTERVAL_IDLE = 45;
/** Poll interval in seconds while the caller has an AI job or a sync queued or running. */
export const POLL_INTERVAL_ACTIVE = 15;

const BoolString = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

/**
 * The intermediate steps of background work (queued, started, uploaded): clients show a job's outcome by default and
 * these only when asked (`steps=false` leaves them out of a list).
 */
export const NOTIFICATION_STEP_TYPES: readonly NotificationType[] = [
  'ai_job_queued',
  'ai_job_started',
  'repo_sync_started',
  'preview_token_created',
  'preview_bundle_uploaded',
];

/** True for a notification type that is a step of background work rather than its outcome. */
export function isStepNotification(type: string): boolean {
  return (NOTIFICATION_STEP_TYPES as readonly string[]).includes(type);
}

export const ListNotificationsQuery = z.object({
  since: z.string().max(64).optional(),
  unread_only: BoolString,
  limit: z.coerce.number().int().min(1).max(200).optional(),
  /** `false` leaves out the steps of background work (NOTIFICATION_STEP_TYPES); default true (everything). */
  steps: BoolString,
  /** An `older_cursor` of an earlier answer: the page of notifications just before it (older). Not with `since`. */
  before: z.string().max(64).optional(),
  /** Only these types, comma-separated (`thread_reply,thread_mention`); unknown names answer 400. */
  types: z
    .string()
    .max(2000)
    .transform((value, ctx) => {
      const names = [
        ...new Set(
          value
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== ''),
        ),
      ];
      const unknown = names.filter((t) => !(NOTIFICATION_TYPES as readonly string[]).includes(t));
      if (names.length === 0 || unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: unknown.length > 0 ? `unknown notification type: ${unknown.join(', ')}` : 'name at least one type',
        });
        return z.NEVER;
      }
      return names as NotificationType[];
    })
    .optional(),
});
export type ListNotificationsQuery = z.input<typeof ListNotificationsQuery>;

export const NotificationList = z
  .object({
    notifications: z.array(Notification),
    cursor: z.string().nullable(),
    /** Pass as `before` for the page of older notifications; null when this page holds the oldest. */
    older_cursor: z.string().nullable().optional(),
  })
  .meta({ id: 'NotificationList' });
export type NotificationList = z.infer<typeof NotificationList>;

/** The header a client names itself with (vscode, desktop, mobile, web, cli…): read state can be kept per client. */
export const CLIENT_HEADER = 'x-hivesync-client';

/** A client's name in X-HiveSync-Client: a short lowercase token. */
export const ClientName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, { message: 'must be a short lowercase token such as vscode or cli' });
export type ClientName = z.infer<typeof ClientName>;

/**
 * Whom a mark_read is for: `all` (the default) marks the notifications read for the user on every client; `client`
 * only for the client naming itself in X-HiveSync-Client, so the user's other clients still show them unread.
 */
export const MarkReadScope = z.enum(['all', 'client']);
export type MarkReadScope = z.infer<typeof MarkReadScope>;

export const MarkReadBody = z
  .union([
    z.object({ notification_ids: z.array(Id).min(1).max(500), scope: MarkReadScope.optional() }).strict(),
    z.object({ all: z.literal(true), scope: MarkReadScope.optional() }).strict(),
  ])
  .meta({ id: 'MarkReadBody' });
export type MarkReadBody = z.infer<typeof MarkReadBody>;

export const MarkReadResult = z.object({ updated: z.number().int() }).meta({ id: 'MarkReadResult' });
export type MarkReadResult = z.infer<typeof MarkReadResult>;
