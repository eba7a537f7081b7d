import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MarkReadBody, Notification, NotificationType } from '@hivesync/sdk';
import { projectPath } from '../lib/permalink.js';
import { useClient } from '../session/session.js';

/** How many unread notifications the bell counts exactly; past it, it says "99+". */
export const UNREAD_COUNT_LIMIT = 99;
/** How many of the latest notifications the bell's menu lists. */
export const BELL_LATEST = 6;
/** Notifications per page on /notifications. */
export const NOTIFICATIONS_PAGE_SIZE = 25;

/** The steps of background work (as NOTIFICATION_STEP_TYPES in @hivesync/core): the web app shows outcomes only. */
export const STEP_TYPES: readonly NotificationType[] = [
  'ai_job_queued',
  'ai_job_started',
  'repo_sync_started',
  'preview_token_created',
  'preview_bundle_uploaded',
];

/** Whether a notification is a step of background work, left out of the bell and the page. */
export function isStep(type: string): boolean {
  return (STEP_TYPES as readonly string[]).includes(type);
}

/** The kinds a person filters /notifications by, each the notification types it stands for. */
export const NOTIFICATION_KINDS = {
  threads: { label: 'Threads', types: ['thread_created', 'thread_reply', 'thread_mention', 'thread_resolved'] },
  tasks: { label: 'Tasks', types: ['task_assigned'] },
  ai: { label: 'AI jobs', types: ['ai_job_completed', 'ai_job_failed'] },
  syncs: { label: 'Syncs', types: ['repo_sync_success', 'repo_sync_failed'] },
  previews: { label: 'Previews', types: ['preview_ready', 'preview_consumed', 'preview_expired'] },
  projects: { label: 'Projects', types: ['project_member_added'] },
  system: {
    label: 'System and account',
    types: [
      'system_maintenance_warning',
      'worker_unavailable',
      'system_health_issue',
      'resource_limit_warning',
      'account_login_throttled',
    ],
  },
} as const satisfies Record<string, { label: string; types: readonly NotificationType[] }>;
export type NotificationKind = keyof typeof NOTIFICATION_KINDS;

/** Whether `value` names a kind of NOTIFICATION_KINDS (as read from the URL). */
export function isNotificationKind(value: string | null): value is NotificationKind {
  return value !== null && Object.hasOwn(NOTIFICATION_KINDS, value);
}

/** What /notifications shows: unread only or all, and one kind or every kind. */
export interface NotificationFilter {
  unreadOnly: boolean;
  kind: NotificationKind | null;
}

/** Query keys of the caller's notifications; every one starts with `notificationKeys.all`. */
export const notificationKeys = {
  all: ['notifications'] as const,
  unread: () => [...notificationKeys.all, 'unread'] as const,
  latest: () => [...notificationKeys.all, 'latest'] as const,
  page: (filter: NotificationFilter, before: string | undefined) =>
    [...notificationKeys.all, 'page', filter.unreadOnly, filter.kind ?? 'any', before ?? 'newest'] as const,
};

/**
 * The unread notifications (outcomes, newest first) and how many there are, up to UNREAD_COUNT_LIMIT + 1. Kept
 * current by the live events provider (session/live-events.tsx), and fetched again when the window gets focus:
 * another tab or client may have marked some read.
 */
export function useUnreadQuery(enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: notificationKeys.unread(),
    queryFn: async ({ signal }) => {
      const page = await client.notifications.list(
        { unread_only: true, steps: false, limit: UNREAD_COUNT_LIMIT + 1 },
        { signal },
      );
      return { count: page.notifications.length, notifications: [...page.notifications].reverse() };
    },
    enabled,
    refetchOnWindowFocus: true,
    staleTime: 10_000,
  });
}

/** The latest few notifications, read or not, newest first: the bell's menu. */
export function useLatestNotificationsQuery(enabled: boolean) {
  const client = useClient();
  return useQuery({
    queryKey: notificationKeys.latest(),
    queryFn: async ({ signal }) => {
      const page = await client.notifications.list({ steps: false, limit: BELL_LATEST }, { signal });
      return [...page.notifications].reverse();
    },
    enabled,
    staleTime: 10_000,
  });
}

/**
 * A page of /notifications, newest first: the newest one, or the one before `before` (an `older_cursor`), with the
 * cursor of the page after it in `older` (null on the oldest).
 */
export function useNotificationsPageQuery(filter: NotificationFilter, before: string | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: notificationKeys.page(filter, before),
    queryFn: async ({ signal }) => {
      const page = await client.notifications.list(
        {
          steps: false,
          limit: NOTIFICATIONS_PAGE_SIZE,
          ...(filter.unreadOnly && { unread_only: true }),
          ...(filter.kind && { types: NOTIFICATION_KINDS[filter.kind].types }),
          ...(before && { before }),
        },
        { signal },
      );
      return { notifications: [...page.notifications].reverse(), older: page.older_cursor ?? null };
    },
    placeholderData: (previous) => previous,
  });
}

/** Marks notifications read (on every client of the user), by ids or all; every notification list is fetched again. */
export function useMarkReadMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: MarkReadBody) => client.notifications.markRead(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

/** A notification as a person reads it: one sentence, and the screen it opens (if any). */
export interface NotificationView {
  text: string;
  href: string | null;
}

/**
 * What a notification says and where it leads. Everything comes from its payload as plain strings, rendered as text
 * by the views (a name or a path with HTML in it shows as typed).
 */
export function describeNotification(n: Notification): NotificationView {
  const p = n.payload;
  const str = (key: string): string | undefined => (typeof p[key] === 'string' ? p[key] : undefined);
  const num = (key: string): number | undefined => (typeof p[key] === 'number' ? p[key] : undefined);
  const project = str('project_name') ?? 'a project';
  const by = str('by_name') ?? 'Someone';
  const pid = n.project_id;
  const at = (section: string, id: string | undefined) =>
    pid && id ? projectPath(pid, `${section}/${encodeURIComponent(id)}`) : pid ? projectPath(pid) : null;
  const where = () => {
    const path = str('path');
    const line = num('line');
    return path ? ` on ${path}${line ? `:${line}` : ''}` : '';
  };
  const action = str('action')?.replaceAll('_', ' ') ?? 'AI';
  switch (n.type) {
    case 'thread_created':
      return { text: `${by} started a thread${where()} in ${project}`, href: at('threads', str('thread_id')) };
    case 'thread_reply':
      return { text: `${by} replied in a thread${where()} in ${project}`, href: at('threads', str('thread_id')) };
    case 'thread_mention':
      return { text: `${by} mentioned you${where()} in ${project}`, href: at('threads', str('thread_id')) };
    case 'thread_resolved':
      return { text: `${by} resolved a thread${where()} in ${project}`, href: at('threads', str('thread_id')) };
    case 'task_assigned':
      return {
        text: `${by} assigned you a task in ${project}: ${str('title') ?? ''}`.replace(/: $/, ''),
        href: pid ? projectPath(pid, 'tasks') : null,
      };
    case 'ai_job_queued':
    case 'ai_job_started':
      return { text: `Your ${action} job in ${project} started`, href: at('ai', str('job_id')) };
    case 'ai_job_completed':
      return {
        text:
          num('suggestions') === 0
            ? `Your ${action} job in ${project} finished with no suggestion`
            : `Your ${action} job in ${project} has a suggestion to review`,
        href: at('ai', str('job_id')),
      };
    case 'ai_job_failed':
      return { text: `Your ${action} job in ${project} failed`, href: at('ai', str('job_id')) };
    case 'repo_sync_started':
      return { text: `A sync of ${project} started`, href: pid ? projectPath(pid) : null };
    case 'repo_sync_success': {
      const commit = str('commit');
      return {
        text: `${project} synced${commit ? ` at ${commit.slice(0, 12)}` : ''}`,
        href: pid ? projectPath(pid) : null,
      };
    }
    case 'repo_sync_failed':
      return {
        text: `The sync of ${project} failed${str('error_code') ? ` (${str('error_code')})` : ''}`,
        href: pid ? projectPath(pid) : null,
      };
    case 'preview_token_created':
    case 'preview_bundle_uploaded':
      return { text: `A preview of ${project} is being prepared`, href: at('previews', str('preview_id')) };
    case 'preview_ready':
      return { text: `Your preview of ${project} is ready`, href: at('previews', str('preview_id')) };
    case 'preview_consumed':
      return { text: `Your preview of ${project} was opened on a device`, href: at('previews', str('preview_id')) };
    case 'preview_expired':
      return { text: `Your preview of ${project} expired`, href: at('previews', str('preview_id')) };
    case 'project_member_added':
      return {
        text: `${str('added_by_name') ?? 'Someone'} added you to ${project}${str('role') ? ` as ${str('role')}` : ''}`,
        href: pid ? projectPath(pid) : null,
      };
    case 'system_maintenance_warning':
      return { text: `Maintenance: ${str('message') ?? 'planned'}`, href: null };
    case 'worker_unavailable':
      return { text: 'A background worker stopped reporting', href: null };
    case 'system_health_issue':
      return { text: `The server's health check says ${str('status') ?? 'degraded'}`, href: null };
    case 'resource_limit_warning':
      return { text: `Running low on ${str('resource') ?? 'a resource'}`, href: null };
    case 'account_login_throttled':
      return { text: 'Too many failed logins to your account: logins are paused for an hour', href: null };
    default:
      return { text: `Notification: ${String(n.type).replaceAll('_', ' ')}`, href: pid ? projectPath(pid) : null };
  }
}
