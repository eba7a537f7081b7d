import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MarkReadBody, NotificationType } from '@hivesync/sdk';
import { useClient } from '../session/session.js';

// What a notification says and where it leads, and which are steps, are shared with the desktop app (packages/ui).
export { describeNotification, isStep, STEP_TYPES, type NotificationView } from '@hivesync/ui';

/** How many unread notifications the bell counts exactly; past it, it says "99+". */
export const UNREAD_COUNT_LIMIT = 99;
/** How many of the latest notifications the bell's menu lists. */
export const BELL_LATEST = 6;
/** Notifications per page on /notifications. */
export const NOTIFICATIONS_PAGE_SIZE = 25;

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
