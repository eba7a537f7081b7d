import type {
  AuthSession,
  Canary,
  CredentialStatus,
  DeepHealth,
  ErrorCode,
  MarkReadResult,
  MemberAdded,
  MemberList,
  Manifest,
  Notification,
  NotificationList,
  Preview,
  PreviewCreated,
  PreviewList,
  Project,
  ProjectList,
  RepoFile,
  ResolvedPreview,
  SearchResult,
  Sync,
  Tree,
  User,
  WorkersHealth,
} from '@hivesync/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  HiveSyncClient,
  type HiveSyncError,
  type HiveSyncTokens,
  type NotificationPoll,
  type SyncList,
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
    expectTypeOf(client.repo.search)
      .parameter(2)
      .toEqualTypeOf<{ regex?: boolean; ignore_case?: boolean; path?: string; limit?: number } | undefined>();
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
    expectTypeOf(client.previews.resolve).parameter(0).toEqualTypeOf<{ token: string } | { code: string }>();
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
    expectTypeOf(client.members.add).parameter(1).toHaveProperty('role').toEqualTypeOf<'admin' | 'member' | 'viewer'>();
    expectTypeOf(client.notifications.markRead)
      .parameter(0)
      .toEqualTypeOf<{ notification_ids: string[] } | { all: true }>();
    expectTypeOf(client.notifications.list)
      .parameter(0)
      .toEqualTypeOf<{ since?: string; unread_only?: boolean; limit?: number } | undefined>();

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
