import type { NotificationType } from '@hivesync/sdk';

/** Each notification type as the preferences table names it. Typed over every type: a new one must get a label. */
export const NOTIFICATION_TYPE_LABELS: Record<NotificationType, string> = {
  thread_created: 'A thread is started on your project',
  thread_reply: 'A reply in a thread you take part in',
  thread_mention: 'Someone mentions you',
  thread_resolved: 'A thread you take part in is resolved',
  task_assigned: 'A task is assigned to you',
  ai_job_queued: 'Your AI job is queued',
  ai_job_started: 'Your AI job starts',
  ai_job_completed: 'Your AI job finishes',
  ai_job_failed: 'Your AI job fails',
  repo_sync_started: 'A sync you asked for starts',
  repo_sync_success: 'A sync succeeds',
  repo_sync_failed: 'A sync fails',
  preview_token_created: 'A preview is being prepared',
  preview_bundle_uploaded: 'A preview’s bundle is uploaded',
  preview_ready: 'Your preview is ready',
  preview_consumed: 'Your preview is opened on a device',
  preview_expired: 'Your preview expires',
  project_member_added: 'You are added to a project',
  system_maintenance_warning: 'Planned maintenance',
  worker_unavailable: 'A background worker stops (admins)',
  system_health_issue: 'The server’s health degrades (admins)',
  resource_limit_warning: 'Disk or queue running low (admins)',
  account_login_throttled: 'Too many failed logins to your account',
};

/** A type's label; a type this build does not know yet shows as its name. */
export function notificationTypeLabel(type: string): string {
  return (NOTIFICATION_TYPE_LABELS as Record<string, string>)[type] ?? type.replaceAll('_', ' ');
}
