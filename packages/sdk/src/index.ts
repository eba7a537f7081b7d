export { HiveSyncClient } from './client.js';
export { HiveSyncError, isHiveSyncError, type HiveSyncErrorCode, type HiveSyncErrorInit } from './errors.js';
export { API_PREFIX, type HiveSyncClientOptions, type HiveSyncTokens, type RequestOptions } from './transport.js';
export {
  discoverFromFile,
  sameServer,
  type AgentEndpoint,
  type AgentOptions,
  type ClientMode,
  type RouteKind,
} from './auto-mode.js';
export * from './agent-protocol.js';
export { AgentApi, type AgentApiOptions } from './agent.api.js';
export { AuthApi, type ListSessionsParams } from './auth.api.js';
export { ProjectsApi, MembersApi, type ListMembersParams } from './projects.api.js';
export {
  RepoApi,
  DEFAULT_SYNC_POLL_MS,
  SYNC_POLL_RETRIES,
  type CommitsParams,
  type DiffParams,
  type FileParams,
  type ListSyncsParams,
  type SearchParams,
  type TreeParams,
  type WaitForSyncOptions,
} from './repo.api.js';
export {
  NotificationsApi,
  DEFAULT_POLL_INTERVAL,
  MAX_BACKOFF,
  backoffSeconds,
  type ListNotificationsParams,
  type NotificationPoll,
  type WatchOptions,
} from './notifications.api.js';
export { DevicesApi } from './devices.api.js';
export {
  EventsApi,
  MAX_STREAM_BACKOFF_MS,
  STREAM_RETRY_MS,
  SYNC_PROGRESS,
  isSyncProgress,
  type LiveEvent,
  type SyncProgressEvent,
  type EventTicket,
  type StreamOpen,
  type StreamOptions,
} from './events.api.js';
export { SseParser, type SseEvent } from './sse.js';
export {
  ThreadsApi,
  TasksApi,
  type GetThreadParams,
  type ListTasksParams,
  type ListThreadsParams,
} from './threads.api.js';
export { PreviewsApi, viewerUrl, type ListPreviewsParams } from './previews.api.js';
export {
  AiApi,
  DEFAULT_JOB_POLL_MS,
  JOB_POLL_RETRIES,
  type ListAiJobsParams,
  type ListSuggestionsParams,
  type WaitForJobOptions,
} from './ai.api.js';
export { AdminApi } from './admin.api.js';
export { HealthApi } from './health.api.js';
export { LookupApi } from './lookup.api.js';
export { SDK_VERSION } from './version.js';
// The API's types, so that a client needs no direct dependency on @hivesync/core.
export type * from '@hivesync/core';
