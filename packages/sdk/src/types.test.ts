import type {
  AiCapabilities,
  AiJob,
  AiJobList,
  AuditEntry,
  AuditPage,
  AuthSession,
  Canary,
  CredentialStatus,
  DeepHealth,
  Diff,
  ErrorCode,
  LookupResult,
  MarkReadResult,
  MemberAdded,
  MemberList,
  Manifest,
  Notification,
  NotificationList,
  NotificationType,
  Preview,
  PreviewCreated,
  PreviewList,
  Project,
  ProjectList,
  RepoFile,
  ResolvedPreview,
  SearchResult,
  Suggestion,
  SuggestionList,
  Sync,
  Task,
  TaskList,
  Thread,
  ThreadList,
  Tree,
  User,
  WorkersHealth,
} from '@hivesync/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  HiveSyncClient,
  isSyncProgress,
  type EventTicket,
  type LiveEvent,
  type HiveSyncError,
  type HiveSyncTokens,
  type NotificationPoll,
  type StreamOpen,
  type StreamOptions,
  type SyncList,
  type WaitForJobOptions,
  type WaitForSyncOptions,
  type WatchOptions,
} from './index.js';

// These assertions are checked by `tsc -p packages/sdk/tsconfig.json`: they lock the SDK's public types.
const client = new HiveSyncClient({ baseUrl: 'http://127.0.0.1:8080' });

describe('public types', () => {
  it('returns the core types', () => {
    expectTypeOf(client.auth.login).returns.toEqualTypeOf<Promise<AuthSession>>();
    expectTypeOf(client.auth.register).returns.toEqualTypeOf<Promise<AuthSession>>();
    expectTypeOf(client.auth.refresh).returns.toEqualTypeOf<Promise<AuthSession>>();
    expectTypeOf(client.auth.logout).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.auth.me).returns.toEqualTypeOf<Promise<User>>();
    expectTypeOf(client.projects.list).returns.toEqualTypeOf<Promise<ProjectList>>();
    expectTypeOf(client.projects.create).returns.toEqualTypeOf<Promise<Project>>();
    expectTypeOf(client.projects.get).returns.toEqualTypeOf<Promise<Project>>();
    expectTypeOf(client.projects.update).returns.toEqualTypeOf<Promise<Project>>();
    expectTypeOf(client.projects.delete).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.members.list).returns.toEqualTypeOf<Promise<MemberList>>();
    expectTypeOf(client.members.add).returns.toEqualTypeOf<Promise<MemberAdded>>();
    expectTypeOf(client.members.remove).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.notifications.list).returns.toEqualTypeOf<Promise<NotificationList>>();
    expectTypeOf(client.notifications.markRead).returns.toEqualTypeOf<Promise<MarkReadResult>>();
    expectTypeOf(client.notifications.poll).returns.toEqualTypeOf<Promise<NotificationPoll>>();
    expectTypeOf(client.notifications.watch).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.admin.canary).returns.toEqualTypeOf<Promise<Canary>>();
    expectTypeOf(client.health.deep).returns.toEqualTypeOf<Promise<DeepHealth>>();
    expectTypeOf(client.health.workers).returns.toEqualTypeOf<Promise<WorkersHealth>>();
    expectTypeOf(client.lookup.resolve).returns.toEqualTypeOf<Promise<LookupResult>>();
    expectTypeOf(client.lookup.resolve)
      .parameter(0)
      .toEqualTypeOf<'thread' | 'suggestion' | 'job' | 'preview' | 'sync'>();
    expectTypeOf(client.ai.create).returns.toEqualTypeOf<Promise<AiJob>>();
    expectTypeOf(client.ai.list).returns.toEqualTypeOf<Promise<AiJobList>>();
    expectTypeOf(client.ai.get).returns.toEqualTypeOf<Promise<AiJob>>();
    expectTypeOf(client.ai.waitForJob).returns.toEqualTypeOf<Promise<AiJob>>();
    expectTypeOf(client.ai.suggestions).returns.toEqualTypeOf<Promise<SuggestionList>>();
    expectTypeOf(client.ai.suggestion).returns.toEqualTypeOf<Promise<Suggestion>>();
    expectTypeOf(client.ai.approve).returns.toEqualTypeOf<Promise<Suggestion>>();
    expectTypeOf(client.ai.markApplied).returns.toEqualTypeOf<Promise<Suggestion>>();
    expectTypeOf(client.ai.markReverted).returns.toEqualTypeOf<Promise<Suggestion>>();
    expectTypeOf(client.ai.capabilities).returns.toEqualTypeOf<Promise<AiCapabilities>>();
    expectTypeOf(client.ai.suggestionDiff).returns.toEqualTypeOf<Promise<Diff>>();
    expectTypeOf(client.ai.approve).parameter(1).toEqualTypeOf<{ comment?: string | undefined } | undefined>();
    expectTypeOf<AiJobList['next_cursor']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Suggestion['history'][number]['comment']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<WaitForJobOptions['onProgress']>().toEqualTypeOf<((job: AiJob) => void) | undefined>();
    expectTypeOf(client.repo.sync).returns.toEqualTypeOf<Promise<Sync>>();
    expectTypeOf(client.repo.getSync).returns.toEqualTypeOf<Promise<Sync>>();
    expectTypeOf(client.repo.listSyncs).returns.toEqualTypeOf<Promise<SyncList>>();
    expectTypeOf(client.repo.tree).returns.toEqualTypeOf<Promise<Tree>>();
    expectTypeOf(client.repo.file).returns.toEqualTypeOf<Promise<RepoFile>>();
    expectTypeOf(client.repo.search).returns.toEqualTypeOf<Promise<SearchResult>>();
    expectTypeOf(client.repo.manifest).returns.toEqualTypeOf<Promise<Manifest>>();
    expectTypeOf(client.repo.setCredential).returns.toEqualTypeOf<Promise<CredentialStatus>>();
    expectTypeOf(client.repo.credential).returns.toEqualTypeOf<Promise<CredentialStatus>>();
    expectTypeOf(client.repo.deleteCredential).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.repo.waitForSync).returns.toEqualTypeOf<Promise<Sync>>();
  });

  it('types the repo API', () => {
    expectTypeOf<SyncList>().toEqualTypeOf<{ syncs: Sync[] }>();
    expectTypeOf<Sync['status']>().toEqualTypeOf<
      'queued' | 'running' | 'updating_files' | 'cleaning' | 'finalizing' | 'completed' | 'failed'
    >();
    expectTypeOf<Sync['error']>().toEqualTypeOf<{ code: string; message: string } | null>();
    expectTypeOf(client.repo.listSyncs).parameter(1).toEqualTypeOf<{ limit?: number } | undefined>();
    expectTypeOf(client.repo.tree)
      .parameter(1)
      .toEqualTypeOf<{ path?: string; recursive?: boolean; commit?: string } | undefined>();
    expectTypeOf(client.repo.file).parameter(1).toEqualTypeOf<string>();
    expectTypeOf(client.repo.file).parameter(2).toEqualTypeOf<{ commit?: string } | undefined>();
    expectTypeOf(client.repo.search).parameter(1).toEqualTypeOf<string>();
    expectTypeOf(client.repo.search).parameter(2).toEqualTypeOf<
      | {
          regex?: boolean;
          ignore_case?: boolean;
          path?: string;
          limit?: number;
          word?: boolean;
          glob?: string;
          lang?: string;
          files?: boolean;
          context?: number;
          commit?: string;
          cursor?: string;
          count?: boolean;
        }
      | undefined
    >();
    expectTypeOf<RepoFile['encoding']>().toEqualTypeOf<'utf8' | 'base64'>();
    expectTypeOf<Tree['entries'][number]['type']>().toEqualTypeOf<'file' | 'dir'>();
    expectTypeOf<CredentialStatus>().toEqualTypeOf<{
      credential: 'set' | 'not set';
      type: 'https_token' | 'ssh_key' | null;
    }>();
    expectTypeOf<WaitForSyncOptions>().toEqualTypeOf<{
      onProgress?: (sync: Sync) => void;
      intervalMs?: number;
      signal?: AbortSignal;
    }>();

    // Type-checked, never run.
    const wrong = () => [
      // @ts-expect-error recursive is a boolean, not the query string's "true"
      client.repo.tree('p', { recursive: 'true' }),
      // @ts-expect-error an ssh_key credential carries private_key, not token
      client.repo.setCredential('p', { type: 'ssh_key', token: 'x' }),
      // @ts-expect-error an https_token credential needs its token
      client.repo.setCredential('p', { type: 'https_token' }),
      // @ts-expect-error the search query is required
      client.repo.search('p'),
    ];
    expectTypeOf(wrong).toBeFunction();
  });

  it('types the previews API', () => {
    expectTypeOf(client.previews.create).returns.toEqualTypeOf<Promise<PreviewCreated>>();
    expectTypeOf(client.previews.upload).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.previews.complete).returns.toEqualTypeOf<Promise<Preview>>();
    expectTypeOf(client.previews.get).returns.toEqualTypeOf<Promise<Preview>>();
    expectTypeOf(client.previews.list).returns.toEqualTypeOf<Promise<PreviewList>>();
    expectTypeOf(client.previews.resolve).returns.toEqualTypeOf<Promise<ResolvedPreview>>();
    expectTypeOf(client.previews.download).returns.toEqualTypeOf<Promise<Buffer>>();
    expectTypeOf(client.previews.create)
      .parameter(0)
      .toEqualTypeOf<{ project_id: string; platform: 'ios' | 'android' | 'web'; sha256?: string; size?: number }>();
    expectTypeOf(client.previews.upload).parameter(0).toEqualTypeOf<Pick<PreviewCreated, 'upload'>>();
    expectTypeOf(client.previews.upload).parameter(1).toEqualTypeOf<Uint8Array>();
    expectTypeOf(client.previews.complete).parameter(1).toEqualTypeOf<{ sha256: string; size: number }>();
    expectTypeOf(client.previews.resolve)
      .parameter(0)
      .toEqualTypeOf<
        { token: string; platform?: 'ios' | 'android' | 'web' } | { code: string; platform?: 'ios' | 'android' | 'web' }
      >();
    expectTypeOf<PreviewCreated['upload']>().toEqualTypeOf<{
      method: 'PUT';
      url: string;
      headers: Record<string, string>;
    }>();
    expectTypeOf<PreviewCreated['upload_required']>().toEqualTypeOf<boolean>();
    expectTypeOf<Preview['status']>().toEqualTypeOf<
      'pending_upload' | 'ready' | 'consumed' | 'expired' | 'deleted' | 'failed'
    >();
    expectTypeOf<ResolvedPreview>().toHaveProperty('download_url').toEqualTypeOf<string>();

    // Type-checked, never run.
    const wrong = () => [
      // @ts-expect-error a preview runs on ios, android or web
      client.previews.create({ project_id: 'p', platform: 'windows' }),
      // @ts-expect-error resolve takes a code or a token, not neither
      client.previews.resolve({}),
      // @ts-expect-error completing needs the size too
      client.previews.complete('pv', { sha256: 'x' }),
      // @ts-expect-error the bundle is bytes, not text
      client.previews.upload({ upload: { method: 'PUT', url: 'u', headers: {} } }, 'text'),
    ];
    expectTypeOf(wrong).toBeFunction();
  });

  it('types the request bodies', () => {
    expectTypeOf(client.projects.create).parameter(0).toHaveProperty('name').toEqualTypeOf<string>();
    expectTypeOf(client.projects.get).parameter(0).toEqualTypeOf<string>();
    // The role may be left out: the server grants `member`.
    expectTypeOf(client.members.add)
      .parameter(1)
      .toHaveProperty('role')
      .toEqualTypeOf<'admin' | 'member' | 'viewer' | undefined>();
    expectTypeOf(client.notifications.markRead)
      .parameter(0)
      .toEqualTypeOf<
        { notification_ids: string[]; scope?: 'all' | 'client' } | { all: true; scope?: 'all' | 'client' }
      >();
    expectTypeOf(client.notifications.list).parameter(0).toEqualTypeOf<
      | {
          since?: string;
          unread_only?: boolean;
          limit?: number;
          steps?: boolean;
          before?: string;
          types?: readonly NotificationType[];
        }
      | undefined
    >();
    expectTypeOf<StreamOptions['onEvent']>().toEqualTypeOf<((event: LiveEvent) => void | Promise<void>) | undefined>();
    const live: LiveEvent = { type: 'sync_progress', data: {} };
    if (isSyncProgress(live)) expectTypeOf(live.data).toEqualTypeOf<Sync>();

    // Type-checked, never run.
    const wrong = () => [
      // @ts-expect-error owner is not a grantable role
      client.members.add('p', { email: 'a@b.c', role: 'owner' }),
      // @ts-expect-error a project needs a name
      client.projects.create({ branch: 'main' }),
      // @ts-expect-error mark_read takes ids or all: true, not all: false
      client.notifications.markRead({ all: false }),
    ];
    expectTypeOf(wrong).toBeFunction();
  });

  it('types threads and tasks', () => {
    expectTypeOf(client.threads.list).returns.toEqualTypeOf<Promise<ThreadList>>();
    expectTypeOf(client.threads.create).returns.toEqualTypeOf<Promise<Thread>>();
    expectTypeOf(client.threads.get).returns.toEqualTypeOf<Promise<Thread>>();
    expectTypeOf(client.threads.reply).returns.toEqualTypeOf<Promise<Thread>>();
    expectTypeOf(client.threads.resolve).returns.toEqualTypeOf<Promise<Thread>>();
    expectTypeOf(client.threads.reopen).returns.toEqualTypeOf<Promise<Thread>>();
    expectTypeOf(client.threads.editComment).returns.toEqualTypeOf<Promise<Thread>>();
    expectTypeOf(client.threads.deleteComment).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.threads.delete).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.tasks.list).returns.toEqualTypeOf<Promise<TaskList>>();
    expectTypeOf(client.tasks.create).returns.toEqualTypeOf<Promise<Task>>();
    expectTypeOf(client.tasks.get).returns.toEqualTypeOf<Promise<Task>>();
    expectTypeOf(client.tasks.update).returns.toEqualTypeOf<Promise<Task>>();
    expectTypeOf(client.tasks.delete).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.threads.list).parameter(1).toEqualTypeOf<
      | {
          path?: string;
          state?: 'open' | 'resolved' | 'all';
          mine?: boolean;
          commit?: string;
          limit?: number;
          cursor?: string;
        }
      | undefined
    >();
    expectTypeOf(client.threads.listAll).returns.toEqualTypeOf<AsyncGenerator<Thread, void, undefined>>();
    expectTypeOf<ThreadList['next_cursor']>().toEqualTypeOf<string | null>();
    expectTypeOf(client.threads.get).parameter(1).toEqualTypeOf<{ commit?: string } | undefined>();
    expectTypeOf(client.threads.reply).parameter(1).toEqualTypeOf<string>();
    expectTypeOf(client.tasks.list)
      .parameter(1)
      .toEqualTypeOf<{ status?: 'todo' | 'in_progress' | 'done'; assignee_id?: string } | undefined>();
    expectTypeOf<Thread['position']['status']>().toEqualTypeOf<'current' | 'moved' | 'edited' | 'outdated'>();
    expectTypeOf<Thread['position']['reason']>().toEqualTypeOf<'deleted' | 'file_deleted' | 'too_costly' | null>();
    expectTypeOf<Thread['state']>().toEqualTypeOf<'open' | 'resolved'>();
    expectTypeOf<NonNullable<Thread['comments']>[number]['ai']>().toEqualTypeOf<boolean>();
    expectTypeOf<Task['file']>().toEqualTypeOf<{ path: string; line: number | null } | null>();

    // Type-checked, never run.
    const wrong = () => [
      // @ts-expect-error a thread needs the comment's text
      client.threads.create('p', { path: 'a.ts', start_line: 1 }),
      // @ts-expect-error lines are numbers
      client.threads.create('p', { path: 'a.ts', start_line: '1', body: 'x' }),
      // @ts-expect-error state is open, resolved or all
      client.threads.list('p', { state: 'closed' }),
      // @ts-expect-error a reply is the text itself
      client.threads.reply('t', { body: 'x' }),
      // @ts-expect-error a task status is todo, in_progress or done
      client.tasks.update('k', { status: 'blocked' }),
      // @ts-expect-error a task needs a title
      client.tasks.create('p', { description: 'x' }),
    ];
    expectTypeOf(wrong).toBeFunction();
  });

  it('types the audit log and the event stream', () => {
    expectTypeOf(client.admin.audit).returns.toEqualTypeOf<Promise<AuditPage>>();
    expectTypeOf(client.admin.auditAll).returns.toEqualTypeOf<AsyncGenerator<AuditEntry, void, undefined>>();
    expectTypeOf<AuditPage>().toEqualTypeOf<{ entries: AuditEntry[]; next_cursor: string | null }>();
    expectTypeOf(client.admin.audit).parameter(0).toEqualTypeOf<
      | {
          actor?: string;
          q?: string;
          action?: string;
          project_id?: string;
          from?: string;
          to?: string;
          cursor?: string;
          limit?: number;
        }
      | undefined
    >();
    expectTypeOf(client.events.stream).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.events.ticket).returns.toEqualTypeOf<Promise<EventTicket>>();
    expectTypeOf<EventTicket>().toEqualTypeOf<{ ticket: string; expires_in: number }>();
    expectTypeOf<StreamOptions['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<StreamOptions['onNotification']>().parameters.toEqualTypeOf<[Notification, string | null]>();
    expectTypeOf<StreamOptions['lastEventId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<StreamOpen>().toEqualTypeOf<{ lastEventId: string | null; reconnected: boolean }>();

    // Type-checked, never run.
    const wrong = () => [
      // @ts-expect-error a stream needs a signal to end it
      client.events.stream({ onNotification: () => undefined }),
      // @ts-expect-error the limit is a number
      client.admin.audit({ limit: '10' }),
    ];
    expectTypeOf(wrong).toBeFunction();
  });

  it('types the error', () => {
    expectTypeOf<HiveSyncError['code']>().toEqualTypeOf<ErrorCode | 'network_error' | (string & {})>();
    expectTypeOf<ErrorCode>().toExtend<HiveSyncError['code']>();
    expectTypeOf<HiveSyncError['status']>().toEqualTypeOf<number>();
    expectTypeOf<HiveSyncError['requestId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<HiveSyncError['retryable']>().toEqualTypeOf<boolean>();
    expectTypeOf<HiveSyncError['retryAfter']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<HiveSyncError['details']>().toEqualTypeOf<Record<string, unknown> | undefined>();
    expectTypeOf<HiveSyncError>().toExtend<Error>();
  });

  it('types polling and tokens', () => {
    expectTypeOf<NotificationPoll>().toEqualTypeOf<{
      notModified: boolean;
      notifications: Notification[];
      cursor: string | null;
      pollInterval: number;
    }>();
    expectTypeOf<WatchOptions['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<WatchOptions['onNotifications']>().parameter(0).toEqualTypeOf<Notification[]>();
    expectTypeOf<HiveSyncTokens>().toEqualTypeOf<{ accessToken: string | null; refreshToken: string | null }>();
    expectTypeOf(client.tokens).toEqualTypeOf<HiveSyncTokens>();
  });
});
