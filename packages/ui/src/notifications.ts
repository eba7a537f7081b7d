import type { Notification, NotificationType } from '@hivesync/sdk';
import { projectPath } from './paths.js';

/** The steps of background work (as NOTIFICATION_STEP_TYPES in @hivesync/core): the apps show outcomes only. */
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
