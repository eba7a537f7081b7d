import type { NotificationType, PushData } from '@hivesync/core';

/** What a push notification shows and carries. */
export interface PushMessage {
  title: string;
  body: string;
  data: PushData;
}

/** The part of a notification a push is made from (its payload already carries names: project_name, by_name…). */
export interface PushSource {
  notificationId: string;
  type: NotificationType;
  projectId: string | null;
  payload: Record<string, unknown>;
}

const TITLE_MAX = 80;
const BODY_MAX = 240;

/**
 * A notification as a push: a short title and a body a person reads (names, never ids: they come from the names the
 * notification was written with), and the data that opens the right screen (the ids it is about and the web app's
 * path). Kept in step with describeNotification in packages/ui.
 */
export function pushMessage(n: PushSource): PushMessage {
  const p = n.payload;
  const str = (key: string): string | undefined =>
    typeof p[key] === 'string' && p[key] !== '' ? (p[key] as string) : undefined;
  const num = (key: string): number | undefined => (typeof p[key] === 'number' ? (p[key] as number) : undefined);
  const project = str('project_name') ?? 'a project';
  const by = str('by_name') ?? 'Someone';
  const where = () => {
    const path = str('path');
    const line = num('line');
    return path ? `${path}${line ? `:${line}` : ''} · ${project}` : project;
  };
  const action = str('action')?.replaceAll('_', ' ') ?? 'AI';
  const pid = n.projectId;
  const projectUrl = (section?: string, id?: string) =>
    pid
      ? `/projects/${encodeURIComponent(pid)}${section ? `/${section}` : ''}${id ? `/${encodeURIComponent(id)}` : ''}`
      : '/notifications';
  const ids: Partial<PushData> = {};
  for (const key of ['thread_id', 'task_id', 'job_id', 'preview_id', 'sync_id'] as const) {
    const v = str(key);
    if (v !== undefined) ids[key] = v;
  }
  let title: string;
  let body: string;
  let url = '/notifications';
  switch (n.type) {
    case 'thread_created':
    case 'thread_reply':
    case 'thread_mention':
    case 'thread_resolved': {
      const verb = {
        thread_created: 'started a thread',
        thread_reply: 'replied',
        thread_mention: 'mentioned you',
        thread_resolved: 'resolved a thread',
      }[n.type];
      title = `${by} ${verb}`;
      body = where();
      url = projectUrl('threads', ids.thread_id);
      break;
    }
    case 'task_assigned':
      title = `${by} assigned you a task`;
      body = str('title') ? `${str('title')} · ${project}` : project;
      url = projectUrl('tasks');
      break;
    case 'ai_job_queued':
    case 'ai_job_started':
      title = 'AI job started';
      body = `${action} in ${project}`;
      url = projectUrl('ai', ids.job_id);
      break;
    case 'ai_job_completed':
      title = num('suggestions') === 0 ? 'AI job finished' : 'Suggestion ready to review';
      body = num('suggestions') === 0 ? `${action} in ${project}: no suggestion` : `${action} in ${project}`;
      url = projectUrl('ai', ids.job_id);
      break;
    case 'ai_job_failed':
      title = 'AI job failed';
      body = `${action} in ${project}${str('error_code') ? ` (${str('error_code')})` : ''}`;
      url = projectUrl('ai', ids.job_id);
      break;
    case 'repo_sync_started':
      title = 'Sync started';
      body = project;
      url = projectUrl();
      break;
    case 'repo_sync_success':
      title = `${project} synced`;
      body = str('commit') ? `At ${str('commit')!.slice(0, 12)}` : 'Up to date';
      url = projectUrl();
      break;
    case 'repo_sync_failed':
      title = `Sync of ${project} failed`;
      body = str('error_code') ? `Error: ${str('error_code')}` : 'Open the project for details';
      url = projectUrl();
      break;
    case 'preview_token_created':
    case 'preview_bundle_uploaded':
      title = 'Preview being prepared';
      body = project;
      url = projectUrl('previews', ids.preview_id);
      break;
    case 'preview_ready':
      title = 'Preview ready';
      body = str('platform') ? `${project} (${str('platform')})` : project;
      url = projectUrl('previews', ids.preview_id);
      break;
    case 'preview_consumed':
      title = 'Preview opened';
      body = `${project} was opened on ${str('platform') ? `a ${str('platform')} device` : 'a device'}`;
      url = projectUrl('previews', ids.preview_id);
      break;
    case 'preview_expired':
      title = 'Preview expired';
      body = project;
      url = projectUrl('previews', ids.preview_id);
      break;
    case 'project_member_added':
      title = `Added to ${project}`;
      body = `${str('added_by_name') ?? 'Someone'} added you${str('role') ? ` as ${str('role')}` : ''}`;
      url = projectUrl();
      break;
    case 'system_maintenance_warning':
      title = 'Maintenance';
      body = str('message') ?? 'Maintenance is planned';
      break;
    case 'worker_unavailable':
      title = 'Worker unavailable';
      body = 'A background worker stopped reporting';
      break;
    case 'system_health_issue':
      title = `Server health: ${str('status') ?? 'degraded'}`;
      body = Array.isArray(p.checks)
        ? (p.checks as { check?: unknown }[])
            .map((c) => (typeof c.check === 'string' ? c.check : ''))
            .filter(Boolean)
            .join(', ') || 'Open the admin section for details'
        : 'Open the admin section for details';
      break;
    case 'resource_limit_warning':
      title = `Running low on ${str('resource') ?? 'a resource'}`;
      body =
        str('resource') === 'queue'
          ? `${num('waiting') ?? 'Many'} jobs waiting in ${str('queue') ?? 'a queue'}`
          : `${num('free_percent') ?? '?'}% disk free`;
      break;
    case 'account_login_throttled':
      title = 'Logins paused';
      body = 'Too many failed logins to your account: logins are paused for an hour';
      break;
    default:
      title = 'HiveSync';
      body = String(n.type).replaceAll('_', ' ');
      url = pid ? projectUrl() : '/notifications';
  }
  return {
    title: clip(title, TITLE_MAX),
    body: clip(body, BODY_MAX),
    data: { notification_id: n.notificationId, type: n.type, project_id: pid, ...ids, url },
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
