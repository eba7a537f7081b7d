import crypto from 'node:crypto';
import {
  BUNDLE_CONTENT_TYPES,
  errors,
  type CompletePreviewBody,
  type CreatePreviewBody,
  type Preview,
  type PreviewCreated,
  type PreviewList,
  type ProjectRole,
  ROLE_RANK,
  type ResolvedPreview,
  type ResolvePreviewBody,
  type WorkerCallbackBody,
} from '@hivesync/core';
import type { Database } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { RateLimiter } from '../../infra/rate-limit.js';
import type { ObjectStorage } from '../../infra/storage.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { newPreviewCode, normalizeCode, type PreviewTokens } from './preview-tokens.js';
import { PreviewsRepository, type PreviewRow } from './previews.repository.js';
import type { AuditService } from '../audit/audit.service.js';
import { BLOB_UPLOAD_KEY } from './preview-builds.service.js';

const UPLOAD_URL_SECONDS = 15 * 60;
const DOWNLOAD_URL_SECONDS = 5 * 60;
/** Where uploads arrive (one key per preview, the only keys a presigned PUT ever names). */
const UPLOADS_PREFIX = 'uploads/';
/** Where `complete` checks an upload, out of reach of its URL. */
const VERIFYING_PREFIX = 'verifying/';
const UPLOAD_KEY = /^uploads\/[^/]+\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const SWEEP_BATCH = 5000;
/** Previews per page when the list asks for no `limit`. */
const DEFAULT_PAGE = 50;

export interface PreviewsServiceDeps {
  db: Database;
  storage: ObjectStorage;
  tokens: PreviewTokens;
  projects: ProjectsService;
  notifications: NotificationsService;
  resolveLimiter: RateLimiter;
  logger: Logger;
  options: {
    ttlMinutes: number;
    maxBundleBytes: number;
    graceMinutes: number;
    uploadSweepMinutes: number;
  };
  audit: AuditService;
}

/** Preview sessions: create (code, token, upload URL), complete, resolve once, expire, clean up. */
export class PreviewsService {
  readonly repo: PreviewsRepository;

  private readonly storage: ObjectStorage;
  private readonly tokens: PreviewTokens;
  private readonly projects: ProjectsService;
  private readonly notifications: NotificationsService;
  private readonly resolveLimiter: RateLimiter;
  private readonly logger: Logger;
  private readonly options: PreviewsServiceDeps['options'];
  private readonly audit: AuditService;

  constructor(deps: PreviewsServiceDeps) {
    const { db, storage, tokens, projects, notifications, resolveLimiter, logger, options, audit } = deps;
    this.storage = storage;
    this.tokens = tokens;
    this.projects = projects;
    this.notifications = notifications;
    this.resolveLimiter = resolveLimiter;
    this.logger = logger;
    this.options = options;
    this.audit = audit;
    this.repo = new PreviewsRepository(db.orm);
  }

  async create(auth: AuthContext, body: CreatePreviewBody): Promise<PreviewCreated> {
    const project = await this.projects.requireProjectRole(auth, body.project_id, 'member');
    if (body.size !== undefined && body.size > this.options.maxBundleBytes) throw this.tooLarge(body.size);
    const id = crypto.randomUUID();
    const expiresAt = new Date(Date.now() + this.options.ttlMinutes * 60_000);
    let row: PreviewRow | undefined;
    // Codes are unique among live previews: draw again on the (rare) collision.
    for (let attempt = 0; attempt < 10 && !row; attempt++) {
      row = await this.repo.insert({
        id,
        projectId: project.id,
        createdBy: auth.userId,
        platform: body.platform,
        status: 'pending_upload',
        code: newPreviewCode(),
        uploadKey: `${UPLOADS_PREFIX}${project.id}/${id}`,
        claimedSha256: body.sha256 ?? null,
        expiresAt,
      });
    }
    if (!row) throw errors.serviceUnavailable('Could not allocate a preview code; try again.');
    const token = await this.tokens.sign({
      previewId: id,
      projectId: project.id,
      bundleSha256: body.sha256 ?? null,
      expiresAt,
    });
    const upload = await this.storage.presignPut(
      row.uploadKey,
      UPLOAD_URL_SECONDS,
      BUNDLE_CONTENT_TYPES[body.platform],
    );
    const known = body.sha256 ? await this.storage.head(bundleKey(project.id, body.sha256)) : undefined;
    await this.notify(row, 'preview_token_created', { expires_at: expiresAt.toISOString() });
    await this.audit.record({
      actorId: auth.userId,
      action: 'preview.created',
      target: { type: 'preview', id },
      projectId: project.id,
      ip: auth.ip,
      details: { platform: body.platform },
    });
    return {
      preview_id: id,
      token,
      code: row.code,
      expires_at: expiresAt.toISOString(),
      status: 'pending_upload',
      upload: { method: 'PUT', url: upload.url, headers: upload.headers },
      upload_required: known === undefined,
    };
  }

  async get(auth: AuthContext, previewId: string): Promise<Preview> {
    const row = await this.repo.find(previewId);
    if (!row) throw errors.notFound('preview');
    const project = await this.projects.requireProjectRole(auth, row.projectId, 'viewer');
    return toPreview(row, mayUseCodes(project.role));
  }

  /** A page of a project's previews, newest first (`limit` 50 by default), and the cursor of the next page. */
  async list(auth: AuthContext, query: { project_id: string; limit?: number; cursor?: string }): Promise<PreviewList> {
    const project = await this.projects.requireProjectRole(auth, query.project_id, 'viewer');
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.repo.listForProject(project.id, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      previews: page.map((row) => toPreview(row, mayUseCodes(project.role))),
      next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /** The client says its upload is done: the server checks the object's size and SHA-256 before it is ready. */
  async complete(auth: AuthContext, previewId: string, body: CompletePreviewBody): Promise<Preview> {
    const row = await this.repo.find(previewId);
    if (!row) throw errors.notFound('preview');
    await this.projects.requireProjectRole(auth, row.projectId, 'member');
    return toPreview(await this.finishUpload(row, body), true);
  }

  private async finishUpload(row: PreviewRow, claim: { sha256: string; size: number }): Promise<PreviewRow> {
    if (row.status !== 'pending_upload') {
      if (row.status === 'expired' || row.status === 'deleted' || row.expiresAt <= new Date())
        throw errors.previewTokenExpired();
      throw errors.conflict(`The preview is already ${row.status}.`);
    }
    if (row.expiresAt <= new Date()) throw errors.previewTokenExpired();
    if (row.claimedSha256 && row.claimedSha256 !== claim.sha256) {
      throw errors.validation('sha256: differs from the hash this preview was created for.');
    }
    if (claim.size > this.options.maxBundleBytes) {
      await this.storage.delete(row.uploadKey);
      throw this.tooLarge(claim.size);
    }
    const target = bundleKey(row.projectId, claim.sha256);
    const existing = await this.storage.head(target);
    if (existing) {
      // The project already holds this exact bundle: keep one copy.
      if (existing.size !== claim.size)
        throw errors.validation(`size: the bundle with this sha256 is ${existing.size} bytes.`);
      await this.storage.delete(row.uploadKey);
    } else {
      await this.verifyAndKeep(row, claim, target);
    }
    const ready = await this.repo.markReady(row.id, { bundleKey: target, sha256: claim.sha256, size: claim.size });
    if (!ready) throw errors.conflict('The preview was completed or expired meanwhile.');
    await this.notify(ready, 'preview_bundle_uploaded', { size: claim.size });
    await this.notify(ready, 'preview_ready', { platform: ready.platform, expires_at: ready.expiresAt.toISOString() });
    return ready;
  }

  /**
   * Checks an upload and makes it the bundle at `target`. The upload is first moved to a key no presigned URL names,
   * and that object is the one checked and kept: a PUT to the upload URL while or after this runs (S3 cannot revoke
   * a presigned PUT) lands on the upload key, which is never read again, and the sweep deletes it.
   */
  private async verifyAndKeep(row: PreviewRow, claim: { sha256: string; size: number }, target: string): Promise<void> {
    const nothing = () =>
      errors.conflict('Nothing was uploaded for this preview yet: PUT the bundle to upload.url first.');
    if (!(await this.storage.head(row.uploadKey))) throw nothing();
    const staged = `${VERIFYING_PREFIX}${row.projectId}/${row.id}-${crypto.randomBytes(4).toString('hex')}`;
    try {
      await this.storage.move(row.uploadKey, staged);
    } catch (err) {
      // Completed by a concurrent request meanwhile: the upload is not there any more.
      if (!(await this.storage.head(row.uploadKey))) throw nothing();
      throw err;
    }
    try {
      const uploaded = await this.storage.head(staged);
      if (!uploaded) throw nothing();
      if (uploaded.size > this.options.maxBundleBytes) throw this.tooLarge(uploaded.size);
      if (uploaded.size !== claim.size)
        throw errors.validation(`size: the upload is ${uploaded.size} bytes, not ${claim.size}; upload again.`);
      const actual = await this.storage.sha256(staged);
      if (actual !== claim.sha256) throw errors.validation('sha256: does not match the uploaded bytes; upload again.');
      await this.storage.move(staged, target);
    } catch (err) {
      await this.storage.delete(staged).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Throws unless `key` is the upload of a preview still waiting for its bundle (the local-files driver asks before
   * it accepts a PUT): an upload URL works until its preview is completed, 409 after that, 410 once it expired.
   */
  async assertUploadOpen(key: string): Promise<void> {
    // A source blob of a server-side build: its URL's signature and expiry are its only bounds (checked by `build`).
    if (BLOB_UPLOAD_KEY.test(key)) return;
    const id = UPLOAD_KEY.exec(key)?.[1];
    const row = id ? await this.repo.find(id) : undefined;
    if (!row || row.uploadKey !== key) throw errors.notFound('upload');
    if (row.status === 'pending_upload' && row.expiresAt > new Date()) return;
    if (row.status === 'pending_upload' || row.status === 'expired' || row.status === 'deleted')
      throw errors.previewTokenExpired();
    throw errors.conflict(
      `This upload URL was already used: the preview is ${row.status}. Start a new preview to upload another bundle.`,
    );
  }

  /**
   * Resolves a code or token once (public, rate limited per IP so codes cannot be enumerated). Forged or unknown:
   * 404; consumed: 410 preview_token_consumed; expired: 410 preview_token_expired; made for another platform than
   * `body.platform`: 409 preview_platform_mismatch, and the preview stays unused (the UPDATE checks the platform).
   */
  async resolve(body: ResolvePreviewBody, ip: string): Promise<ResolvedPreview> {
    await this.resolveLimiter.consume(ip);
    let by: { id: string } | { code: string };
    if ('token' in body) {
      const claims = await this.tokens.verify(body.token);
      if (claims === 'expired') throw errors.previewTokenExpired();
      if (!claims) throw errors.notFound('preview');
      by = { id: claims.previewId };
      const current = await this.repo.find(claims.previewId);
      if (!current || current.projectId !== claims.projectId) throw errors.notFound('preview');
      if (claims.bundleSha256 && current.sha256 && claims.bundleSha256 !== current.sha256)
        throw errors.notFound('preview');
    } else {
      const code = normalizeCode(body.code);
      if (!code) throw errors.notFound('preview');
      by = { code };
    }
    const row = await this.repo.consume(by, body.platform);
    if (!row) {
      const seen = 'id' in by ? await this.repo.find(by.id) : await this.repo.findByCode(by.code);
      if (!seen) throw errors.notFound('preview');
      if (seen.status === 'consumed') throw errors.previewTokenConsumed();
      if (seen.status === 'expired' || seen.status === 'deleted' || seen.expiresAt <= new Date())
        throw errors.previewTokenExpired();
      if (seen.status === 'failed') throw errors.conflict('The preview build failed.');
      if (body.platform !== undefined && seen.platform !== body.platform)
        throw errors.previewPlatformMismatch(seen.platform, body.platform);
      throw errors.conflict('The preview is not ready yet: its bundle has not been uploaded.');
    }
    const download = await this.storage.presignGet(row.bundleKey!, DOWNLOAD_URL_SECONDS);
    await this.notify(row, 'preview_consumed', { platform: row.platform });
    await this.audit.record({
      action: 'preview.resolved',
      target: { type: 'preview', id: row.id },
      projectId: row.projectId,
      ip,
      details: { by: 'token' in body ? 'token' : 'code' },
    });
    return {
      preview_id: row.id,
      project_id: row.projectId,
      platform: row.platform,
      download_url: download.url,
      sha256: row.sha256!,
      size: row.size!,
      expires_at: row.expiresAt.toISOString(),
    };
  }

  /** A sandboxed build worker reports on the preview it builds (the signature was checked by the route). */
  async workerCallback(previewId: string, body: WorkerCallbackBody): Promise<Preview> {
    const row = await this.repo.find(previewId);
    if (!row) throw errors.notFound('job');
    if (body.status === 'running') return toPreview(row);
    if (body.status === 'failed') {
      const failed = await this.repo.markFailed(row.id, body.error);
      if (!failed) throw errors.conflict(`The preview is already ${row.status}.`);
      return toPreview(failed);
    }
    return toPreview(await this.finishUpload(row, body));
  }

  /**
   * Expires previews past their lifetime, deletes the objects of those past the grace period, and sweeps uploads
   * never completed within HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES.
   */
  async cleanup(): Promise<{ expired: number; deleted: number; swept: number }> {
    const expired = await this.repo.expireDue();
    for (const row of expired) await this.notify(row, 'preview_expired', {});
    const due = await this.repo.dueForDeletion(new Date(Date.now() - this.options.graceMinutes * 60_000), 200);
    for (const row of due) {
      await this.storage.delete(row.uploadKey);
      // A bundle shared with another live preview (same sha256 in the project) stays.
      if (row.bundleKey && !(await this.repo.bundleInUse(row.bundleKey, row.id)))
        await this.storage.delete(row.bundleKey);
      await this.repo.markDeleted(row.id);
    }
    const swept = await this.sweepUploads();
    if (expired.length + due.length + swept > 0)
      this.logger.info({ expired: expired.length, deleted: due.length, swept }, 'preview cleanup');
    return { expired: expired.length, deleted: due.length, swept };
  }

  /**
   * Deletes every object under the upload and verification prefixes older than the sweep window, whatever its
   * preview: uploads abandoned before `complete`, objects PUT to an upload URL after its preview completed (S3
   * accepts them), and copies a crash left in the middle of `complete`. A completed bundle never lives there.
   */
  private async sweepUploads(): Promise<number> {
    const before = Date.now() - this.options.uploadSweepMinutes * 60_000;
    let swept = 0;
    for (const prefix of [UPLOADS_PREFIX, VERIFYING_PREFIX]) {
      for (const object of await this.storage.list(prefix, SWEEP_BATCH)) {
        if (object.modifiedAt.getTime() > before) continue;
        await this.storage.delete(object.key);
        swept++;
      }
    }
    return swept;
  }

  private tooLarge(size: number) {
    return errors.payloadTooLarge(
      `The bundle is ${size} bytes, above the ${this.options.maxBundleBytes}-byte limit (HIVESYNC_PREVIEW_MAX_BUNDLE_BYTES).`,
    );
  }

  private async notify(
    row: PreviewRow,
    type: Parameters<NotificationsService['notify']>[0]['type'],
    extra: Record<string, unknown>,
  ) {
    if (!row.createdBy) return;
    // Never the token or the code: a notification is not a way to open someone's preview.
    await this.notifications.notify({
      userIds: [row.createdBy],
      projectId: row.projectId,
      type,
      payload: { preview_id: row.id, ...extra },
    });
  }
}

/** Where a project's bundle with this hash is kept (one copy per project and hash). */
export function bundleKey(projectId: string, sha256: string): string {
  return `bundles/${projectId}/${sha256}`;
}

/** Whether a role sees previews' codes: members and above, who may publish previews themselves. */
function mayUseCodes(role: ProjectRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK.member;
}

/** A page cursor: the creation time and id of the page's last preview, opaque to clients (base64url JSON). */
function encodeCursor(row: PreviewRow): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string') {
      const createdAt = new Date(key[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: key[1] };
    }
  } catch {
    // reported below
  }
  throw errors.validation('cursor: must be a next_cursor from a previous page.');
}

/** The API's view of a preview row; its code only when `withCode` (the caller may use it). */
export function toPreview(row: PreviewRow, withCode = false): Preview {
  return {
    preview_id: row.id,
    project_id: row.projectId,
    platform: row.platform,
    status: row.status,
    sha256: row.sha256,
    size: row.size,
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    ready_at: row.readyAt?.toISOString() ?? null,
    consumed_at: row.consumedAt?.toISOString() ?? null,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
    code: withCode ? row.code : null,
  };
}
