import type { Notification } from '@hivesync/sdk';
import type { Route } from './routes';

/** A notification as a line a person reads. */
export interface NotificationView {
  title: string;
  body: string;
}

const str = (p: Record<string, unknown>, key: string): string | undefined =>
  typeof p[key] === 'string' && p[key] !== '' ? (p[key] as string) : undefined;

/** Title and body of a notification (names from its payload, never ids), as the server's push messages word them. */
export function describeNotification(n: Notification): NotificationView {
  const p = n.payload;
  const project = str(p, 'project_name') ?? 'a project';
  const by = str(p, 'by_name') ?? 'Someone';
  const path = str(p, 'path');
  const where = path ? `${path} · ${project}` : project;
  const action = str(p, 'action')?.replaceAll('_', ' ') ?? 'AI';
  switch (n.type) {
    case 'thread_created':
      return { title: `${by} started a thread`, body: where };
    case 'thread_reply':
      return { title: `${by} replied`, body: where };
    case 'thread_mention':
      return { title: `${by} mentioned you`, body: where };
    case 'thread_resolved':
      return { title: `${by} resolved a thread`, body: where };
    case 'task_assigned':
      return { title: `${by} assigned you a task`, body: str(p, 'title') ?? project };
    case 'ai_job_completed':
      return {
        title: p.suggestions === 0 ? 'AI job finished' : 'Suggestion ready to review',
        body: `${action} in ${project}`,
      };
    case 'ai_job_failed':
      return { title: 'AI job failed', body: `${action} in ${project}` };
    case 'ai_job_queued':
    case 'ai_job_started':
      return { title: 'AI job started', body: `${action} in ${project}` };
    case 'preview_ready':
      return { title: 'Preview ready', body: project };
    case 'preview_consumed':
      return { title: 'Preview opened', body: `${project} was opened on a device` };
    case 'preview_expired':
      return { title: 'Preview expired', body: project };
    case 'preview_token_created':
    case 'preview_bundle_uploaded':
      return { title: 'Preview being prepared', body: project };
    case 'repo_sync_success':
      return { title: `${project} synced`, body: 'Up to date' };
    case 'repo_sync_failed':
      return { title: `Sync of ${project} failed`, body: str(p, 'error_code') ?? 'Open the project for details' };
    case 'repo_sync_started':
      return { title: 'Sync started', body: project };
    case 'project_member_added':
      return { title: `You were added to ${project}`, body: by };
    default:
      return { title: n.type.replaceAll('_', ' '), body: project };
  }
}

/** The screen a tapped notification opens: the thread, the tasks, the suggestion's review, the preview tab… */
export function notificationTarget(n: Notification): Route {
  const pid = n.project_id;
  const p = n.payload;
  const threadId = str(p, 'thread_id');
  const jobId = str(p, 'job_id');
  if (n.type.startsWith('thread_') && pid && threadId) return { name: 'thread', projectId: pid, threadId };
  if (n.type === 'task_assigned' && pid) return { name: 'project', projectId: pid, tab: 'tasks' };
  if (n.type.startsWith('ai_job_') && pid && jobId) return { name: 'review', projectId: pid, jobId };
  if (n.type.startsWith('preview_')) return { name: 'preview' };
  if (pid) return { name: 'project', projectId: pid };
  return { name: 'notifications' };
}

/** The screen a tapped push opens, from the data the server's push carries (PushData). */
export function pushTarget(data: Record<string, unknown>): Route {
  const s = (k: string) => (typeof data[k] === 'string' && data[k] !== '' ? (data[k] as string) : undefined);
  const type = s('type') ?? '';
  const pid = s('project_id');
  const threadId = s('thread_id');
  const jobId = s('job_id');
  if (type.startsWith('thread_') && pid && threadId) return { name: 'thread', projectId: pid, threadId };
  if (type === 'task_assigned' && pid) return { name: 'project', projectId: pid, tab: 'tasks' };
  if (type.startsWith('ai_job_') && pid && jobId) return { name: 'review', projectId: pid, jobId };
  if (type.startsWith('preview_')) return { name: 'preview' };
  if (pid) return { name: 'project', projectId: pid };
  return { name: 'notifications' };
}
