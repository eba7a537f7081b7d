import crypto from 'node:crypto';
import {
  errors,
  type ListNotificationsQuery,
  NOTIFICATION_STEP_TYPES,
  POLL_INTERVAL_ACTIVE,
  POLL_INTERVAL_IDLE,
  type MarkReadBody,
  type Notification,
  type NotificationList,
  type NotificationPreferences,
  type NotificationType,
  type UpdateNotificationPreferencesBody,
  NOTIFICATION_TYPES,
} from '@hivesync/core';
import type { z } from 'zod';
import type { Database, Tx } from '../../infra/db.js';
import type { EventBus } from '../../infra/event-bus.js';
import type { Logger } from '../../infra/logger.js';
import type { AuthContext } from '../auth/auth.types.js';
import { NotificationPreferencesRepository } from './notification-preferences.repository.js';
import { NotificationsRepository, type NotificationRow } from './notifications.repository.js';

/** What a feature says when it notifies. */
export interface NotifyInput {
  userIds: string[];
  projectId: string | null;
  type: NotificationType;
  payload: Record<string, unknown>;
}

/** One notification to push to some of its users' devices (the push delivery job's input). */
export interface PushRequest {
  type: NotificationType;
  projectId: string | null;
  /** The payload as stored: sanitized, with names. */
  payload: Record<string, unknown>;
  /** Each user with push on for the type, and their notification's id (`stored`: false when in-app is off). */
  recipients: { userId: string; notificationId: string; stored: boolean }[];
}

/** Enqueues push delivery in the notifying transaction (set by services.ts once the push service exists). */
export type PushEnqueuer = (tx: Tx, request: PushRequest) => Promise<void>;

/** Types whose in-app notification cannot be turned off: a security notice must reach its owner. */
export const IN_APP_REQUIRED: ReadonlySet<NotificationType> = new Set(['account_login_throttled']);

/** The query of a poll: GET /notifications's, as validated. */
export type PollQuery = z.output<typeof ListNotificationsQuery>;

/** The outcome of a poll: either a page, or "not modified", always with the interval and ETag to send. */
export type PollResult =
  | { notModified: true; etag: string; pollInterval: number }
  | { notModified: false; etag: string; pollInterval: number; body: NotificationList };

/** Bus message kinds this module publishes. */
export const BUS_NOTIFICATION = 'notification';
export const BUS_POLL_STATE = 'poll-state';
/** A live event for open streams only (not stored): body `{user_ids, event, data}`. */
export const BUS_LIVE = 'live';
/** The live (not stored) event types the stream carries beside `notification` (docs/EVENTS.md, Live events). */
export type LiveEventType = 'sync_progress' | 'preview_build_progress';

// Payload keys that could carry a secret; they are dropped before anything is stored or sent.
const FORBIDDEN_KEY = /token|secret|password|credential|api_?key|authorization|^code$/i;
// Payload keys that hold a user id; each gets a `<key>_name` with that user's display name.
const USER_ID_KEYS = ['by', 'added_by', 'author_id', 'assignee_id'] as const;
// Upper bound on how long a poll state may be served from memory if an invalidation was lost (Redis down).
const CACHE_TTL_MS = 5000;
const CACHE_MAX = 50_000;
// Rows deleted per transaction by the retention job.
const RETENTION_BATCH = 1000;

interface CachedState {
  version: number;
  active: boolean;
  at: number;
}

/**
 * Notifications: the one `notify` every feature calls, and the poll that every client runs. An unchanged poll is
 * answered from memory (version per user, kept coherent across processes by bus invalidations) and costs no query.
 */
export class NotificationsService {
  private readonly repo: NotificationsRepository;
  private readonly prefs: NotificationPreferencesRepository;
  /** Push delivery; unset, notifications are in-app only. */
  push: PushEnqueuer | undefined;
  private readonly cache = new Map<string, CachedState>();
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {
    this.repo = new NotificationsRepository(db.orm);
    this.prefs = new NotificationPreferencesRepository(db.orm);
    bus.subscribe((m) => {
      if (m.kind === BUS_NOTIFICATION || m.kind === BUS_POLL_STATE) this.forget(String(m.body.user_id));
    });
  }

  /** Notifies users: stored with the caller's transaction when one is given, published once it commits. */
  async notify(input: NotifyInput, tx?: Tx): Promise<void> {
    const userIds = [...new Set(input.userIds)];
    if (userIds.length === 0) return;
    const write = async (t: Tx) => {
      // Each user's channels for this type (no row: all on): the in-app list, and push to their devices.
      const channels = await this.prefs.forType(t.orm, userIds, input.type);
      const inApp = userIds.filter((u) => channels.get(u)?.inApp !== false || IN_APP_REQUIRED.has(input.type));
      const push = this.push ? userIds.filter((u) => channels.get(u)?.push !== false) : [];
      if (inApp.length === 0 && push.length === 0) return;
      const payload = await this.named(t, input.projectId, this.sanitize(input.type, input.payload));
      const rows = await this.repo.insert(t.orm, inApp, { projectId: input.projectId, type: input.type, payload });
      t.afterCommit(() => this.publish(rows));
      if (push.length > 0) {
        const stored = new Map(rows.map((r) => [r.userId, r.id]));
        await this.push!(t, {
          type: input.type,
          projectId: input.projectId,
          payload,
          recipients: push.map((userId) => ({
            userId,
            notificationId: stored.get(userId) ?? crypto.randomUUID(),
            stored: stored.has(userId),
          })),
        });
      }
    };
    if (tx) await write(tx);
    else await this.db.transaction(write);
  }

  /** The caller's channels for every notification type (all on until turned off). */
  async preferences(auth: AuthContext): Promise<NotificationPreferences> {
    const stored = await this.prefs.forUser(auth.userId);
    return {
      preferences: NOTIFICATION_TYPES.map((type) => {
        const ch = stored.get(type);
        const required = IN_APP_REQUIRED.has(type);
        return { type, in_app: required || ch?.inApp !== false, push: ch?.push !== false, in_app_optional: !required };
      }),
    };
  }

  /** Changes some of the caller's channels; answers every type's, as GET does. */
  async updatePreferences(
    auth: AuthContext,
    body: UpdateNotificationPreferencesBody,
  ): Promise<NotificationPreferences> {
    const refused = body.preferences.findIndex((p) => p.in_app === false && IN_APP_REQUIRED.has(p.type));
    if (refused >= 0) {
      throw errors.validation(
        `${body.preferences[refused]!.type} is a security notice: its in-app notification cannot be turned off.`,
        { field: `preferences.${refused}.in_app` },
      );
    }
    await this.db.transaction(async (tx) =>
      this.prefs.update(
        tx.orm,
        auth.userId,
        body.preferences.map((p) => ({ type: p.type, inApp: p.in_app, push: p.push })),
      ),
    );
    return this.preferences(auth);
  }

  /** Tells every process that a user's poll state changed (work started or finished). */
  async pollStateChanged(userId: string): Promise<void> {
    this.forget(userId);
    await this.bus.publish({ kind: BUS_POLL_STATE, body: { user_id: userId } });
  }

  /**
   * One poll. `client` (X-HiveSync-Client) selects that client's read state; it is part of the ETag, so two clients
   * of one user never share a 304.
   */
  async poll(
    auth: AuthContext,
    query: PollQuery,
    ifNoneMatch: string | undefined,
    client?: string,
  ): Promise<PollResult> {
    const { notModified, etag, pollInterval } = await this.pollHead(auth, query, ifNoneMatch, client);
    if (notModified) return { notModified: true, etag, pollInterval };
    const limit = query.limit ?? 50;
    const unreadOnly = query.unread_only === true;
    const steps = query.steps !== false;
    const types = query.types ?? [];
    const afterSeq = parseCursor(query.since, 'since');
    const beforeSeq = parseCursor(query.before, 'before');
    // One more than asked for tells whether older ones remain (and so whether to give an older_cursor).
    const fetched = await this.repo.list(auth.userId, {
      afterSeq,
      beforeSeq,
      unreadOnly,
      limit: afterSeq === undefined ? limit + 1 : limit,
      excludeTypes: steps ? [] : NOTIFICATION_STEP_TYPES,
      onlyTypes: types,
      client,
    });
    const more = afterSeq === undefined && fetched.length > limit;
    // The newest page comes in ascending order: the extra one is the oldest, first.
    const rows = more ? fetched.slice(1) : fetched;
    const last = rows.at(-1);
    const cursor =
      beforeSeq !== undefined
        ? String(await this.repo.latestSeq(auth.userId))
        : last
          ? String(last.seq)
          : String(afterSeq ?? (await this.repo.latestSeq(auth.userId)));
    const olderCursor = afterSeq === undefined ? (more ? String(rows[0]!.seq) : null) : undefined;
    return {
      notModified: false,
      etag,
      pollInterval,
      body: {
        notifications: rows.map(toNotification),
        cursor,
        ...(olderCursor !== undefined && { older_cursor: olderCursor }),
      },
    };
  }

  /**
   * What a poll answers before reading any notification: the ETag and interval, and whether `ifNoneMatch` names
   * that ETag (then the answer is 304). From the user's cached state alone, so an unchanged poll costs no query.
   */
  async pollHead(
    auth: AuthContext,
    query: PollQuery,
    ifNoneMatch: string | undefined,
    client?: string,
  ): Promise<{ notModified: boolean; etag: string; pollInterval: number }> {
    if (query.since !== undefined && query.before !== undefined) {
      throw errors.validation('Send since (newer notifications) or before (older ones), not both.', {
        field: 'before',
      });
    }
    const state = await this.state(auth.userId);
    const pollInterval = state.active ? POLL_INTERVAL_ACTIVE : POLL_INTERVAL_IDLE;
    const key = queryKey(
      query.since,
      query.unread_only === true,
      query.limit ?? 50,
      query.steps !== false,
      client,
      query.before,
      query.types ?? [],
    );
    const etag = `W/"n${state.version}-${key}"`;
    const notModified = ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag);
    return { notModified, etag, pollInterval };
  }

  /**
   * Tells the user's open event streams, on every API instance, about something that is not kept (no
   * notification is stored, nothing is replayed on reconnect): `sync_progress` and other live events.
   */
  async publishLive(userIds: readonly string[], event: LiveEventType, data: Record<string, unknown>): Promise<void> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return;
    await this.bus.publish({ kind: BUS_LIVE, body: { user_ids: unique, event, data } });
  }

  /**
   * Up to `limit` of a user's notifications after `afterSeq`, oldest first, with their sequence numbers: what an
   * event stream resuming from Last-Event-ID missed.
   */
  async missedSince(
    userId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ seq: number; notification: Notification }[]> {
    const rows = await this.repo.list(userId, { afterSeq, unreadOnly: false, limit });
    return rows.map((row) => ({ seq: row.seq, notification: toNotification(row) }));
  }

  /**
   * Marks notifications read for the user on every client (scope `all`, the default), or only for the calling
   * client (scope `client`, which needs X-HiveSync-Client). Returns how many were unread there before.
   */
  async markRead(auth: AuthContext, body: MarkReadBody, client?: string): Promise<{ updated: number }> {
    const ids = 'all' in body ? 'all' : body.notification_ids;
    const perClient = body.scope === 'client';
    if (perClient && client === undefined) {
      throw errors.validation('scope "client" needs the X-HiveSync-Client header naming this client.', {
        field: 'scope',
      });
    }
    const updated = await this.db.transaction(async (tx) => {
      const n = perClient
        ? await this.repo.markReadForClient(tx.orm, auth.userId, client!, ids)
        : await this.repo.markRead(tx.orm, auth.userId, ids);
      if (n > 0) tx.afterCommit(() => this.pollStateChanged(auth.userId));
      return n;
    });
    return { updated };
  }

  /**
   * The retention job: deletes read notifications created more than `retentionDays` ago, in batches (one short
   * transaction each, so polls and writes never wait long), at most `maxBatches` per run; the next run goes on.
   * Unread ones are kept. Returns how many were deleted.
   */
  async deleteExpired(
    retentionDays: number,
    { batchSize = RETENTION_BATCH, maxBatches = 100 }: { batchSize?: number; maxBatches?: number } = {},
  ): Promise<number> {
    const before = new Date(Date.now() - retentionDays * 24 * 60 * 60 * 1000);
    let deleted = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.db.transaction(async (tx) => {
        const { deleted: count, owners } = await this.repo.deleteReadBefore(tx.orm, before, batchSize);
        // Their pages changed: no API instance may answer a cached 304 for them.
        tx.afterCommit(async () => {
          for (const userId of owners) await this.pollStateChanged(userId);
        });
        return count;
      });
      deleted += n;
      if (n < batchSize) break;
    }
    if (deleted > 0) this.logger.info({ deleted, retention_days: retentionDays }, 'deleted old read notifications');
    return deleted;
  }

  private async state(userId: string): Promise<CachedState> {
    const cached = this.cache.get(userId);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached;
    const gen = this.generation.get(userId) ?? 0;
    const fresh = { ...(await this.repo.pollState(userId)), at: Date.now() };
    // Store only if nothing changed while we read: otherwise a concurrent write's invalidation would be undone.
    if ((this.generation.get(userId) ?? 0) === gen) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(userId, fresh);
    }
    return fresh;
  }

  private forget(userId: string): void {
    this.cache.delete(userId);
    this.generation.set(userId, (this.generation.get(userId) ?? 0) + 1);
    if (this.generation.size > CACHE_MAX) this.generation.clear();
  }

  private async publish(rows: NotificationRow[]): Promise<void> {
    for (const row of rows) {
      this.forget(row.userId);
      await this.bus.publish({
        kind: BUS_NOTIFICATION,
        body: { user_id: row.userId, seq: row.seq, notification: toNotification(row) },
      });
    }
  }

  /**
   * The payload with the names a person reads: `project_name` for the project, `<who>_name` beside each user id
   * (`by` → `by_name`, `added_by` → `added_by_name`), looked up once when the notification is written.
   */
  private async named(
    tx: Tx,
    projectId: string | null,
    payload: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const userKeys = USER_ID_KEYS.filter((k) => typeof payload[k] === 'string');
    const wantsProject = projectId !== null && payload.project_name === undefined;
    if (!wantsProject && userKeys.length === 0) return payload;
    const names = await this.repo.names(tx.orm, {
      projectId: wantsProject ? projectId : null,
      userIds: userKeys.map((k) => payload[k] as string),
    });
    const out = { ...payload };
    if (wantsProject && names.project !== undefined) out.project_name = names.project;
    for (const key of userKeys) {
      const name = names.users.get(payload[key] as string);
      if (name !== undefined) out[`${key.replace(/_id$/, '')}_name`] = name;
    }
    return out;
  }

  private sanitize(type: NotificationType, payload: Record<string, unknown>): Record<string, unknown> {
    const clean: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(payload)) {
      if (FORBIDDEN_KEY.test(key)) {
        this.logger.error({ type, key }, 'refused to store a notification payload key that may hold a secret');
        continue;
      }
      clean[key] = value;
    }
    return clean;
  }
}

/** The API's view of a notification row. */
export function toNotification(row: NotificationRow): Notification {
  return {
    notification_id: row.id,
    user_id: row.userId,
    project_id: row.projectId,
    type: row.type as NotificationType,
    payload: row.payload,
    created_at: row.createdAt.toISOString(),
    read_at: row.readAt ? row.readAt.toISOString() : null,
  };
}

// Query keys already hashed: clients repeat the same few queries, and a hash per poll was a few % of a 304's CPU.
const queryKeys = new Map<string, string>();
const QUERY_KEYS_MAX = 10_000;

function queryKey(
  since: string | undefined,
  unreadOnly: boolean,
  limit: number,
  steps: boolean,
  client: string | undefined,
  before: string | undefined,
  types: readonly string[],
): string {
  const raw =
    `${since ?? ''}|${unreadOnly ? 1 : 0}|${limit}${steps ? '' : '|outcomes'}${client ? `|c:${client}` : ''}` +
    `${before ? `|b:${before}` : ''}${types.length ? `|t:${types.join(',')}` : ''}`;
  let key = queryKeys.get(raw);
  if (key === undefined) {
    key = crypto.createHash('sha1').update(raw).digest('base64url').slice(0, 10);
    if (queryKeys.size >= QUERY_KEYS_MAX) queryKeys.clear();
    queryKeys.set(raw, key);
  }
  return key;
}

function parseCursor(value: string | undefined, field: 'since' | 'before'): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) {
    throw errors.validation(`${field} must be a cursor returned by a previous notifications call.`, { field });
  }
  return Number(value);
}
