import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  errors,
  type PreviewBuild,
  type PreviewBuildCapabilities,
  type PreviewFilesAnswer,
  type PreviewFilesBody,
  type PresignedUpload,
  type WorkerCallbackBody,
} from '@hivesync/core';
import type { PreviewBuildFile } from '../../db/schema.js';
import type { Database } from '../../infra/db.js';
import type { HeartbeatStore } from '../../infra/heartbeats.js';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import { SandboxUnavailableError, type Sandbox, type SandboxLimits } from '../../infra/sandbox.js';
import type { ObjectStorage } from '../../infra/storage.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import {
  BUILD_RUNNER_SCRIPT,
  bundlerModules,
  errorLocation,
  esbuildBinaryInside,
  type RunnerOutput,
} from './build-runner.js';
import { PreviewBuildsRepository, type PreviewBuildRow } from './preview-builds.repository.js';
import type { PreviewsService } from './previews.service.js';
import { signWorkerCallback } from './worker-signature.js';

/** The queue of server-side preview builds (the `cpu` pool). */
export const PREVIEW_BUILD_QUEUE = 'preview-build';

const UPLOAD_URL_SECONDS = 15 * 60;
/** Where a blob's presigned upload lands (one key per project and hash). */
const BLOB_UPLOADS = 'blob-uploads/';
/** Where an upload is checked, out of its URL's reach. */
const BLOB_VERIFYING = 'blob-verifying/';
/** Checked blobs, content-addressed per project: never named by a presigned URL. */
const BLOBS = 'blobs/';
/** An upload key as the local-files driver sees it (under the artifacts folder). */
export const BLOB_UPLOAD_KEY = /^(?:artifacts\/)?blob-uploads\/[^/]+\/[0-9a-f]{64}$/;
const MAX_ERROR_MESSAGE = 2000;
/** A heartbeat this old means the worker is gone (three missed beats, as the job runner counts). */
const STALE_AFTER_BEATS = 3;

/** How a build worker reports a preview's outcome: the signed callback over HTTP, or the same service call. */
export type BuildReporter = (previewId: string, body: WorkerCallbackBody) => Promise<void>;

export interface PreviewBuildsDeps {
  db: Database;
  queue: Queue;
  /** The `previews` bucket (bundles). */
  storage: ObjectStorage;
  /** The `artifacts` bucket (source blobs). */
  artifacts: ObjectStorage;
  projects: ProjectsService;
  /** The preview service (a function: the two are wired together). */
  previews: () => PreviewsService;
  notifications: NotificationsService;
  heartbeats: HeartbeatStore;
  logger: Logger;
  options: {
    enabled: boolean;
    timeoutMs: number;
    maxFiles: number;
    maxBytes: number;
    maxBundleBytes: number;
    heartbeatIntervalMs: number;
    sandbox: Omit<SandboxLimits, 'timeoutMs'>;
  };
}

/**
 * Server-side preview builds: the client sends its file list with hashes, uploads only the blobs the project lacks
 * (content-addressed in the artifacts bucket), and asks for a build; a worker assembles the tree in a sandbox, runs
 * the bundler there, stores the bundle and reports through the build callback.
 */
export class PreviewBuildsService {
  readonly repo: PreviewBuildsRepository;
  /** Set by worker processes: the sandbox builds run in. */
  sandbox: Sandbox | undefined;
  /** How outcomes are reported; the direct service call until a signed callback URL is known (useSignedCallback). */
  private report: BuildReporter;

  constructor(private readonly deps: PreviewBuildsDeps) {
    this.repo = new PreviewBuildsRepository(deps.db.orm);
    this.report = async (previewId, body) => void (await deps.previews().workerCallback(previewId, body));
  }

  /** Reports through POST {apiUrl}/api/v1/internal/jobs/{id}/callback, signed with the worker's shared secret. */
  useSignedCallback(apiUrl: string, secret: string): void {
    this.report = async (previewId, body) => {
      const raw = JSON.stringify(body);
      const res = await fetch(`${apiUrl}/api/v1/internal/jobs/${encodeURIComponent(previewId)}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWorkerCallback(secret, raw) },
        body: raw,
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) {
        const text = await res.text();
        const envelope = safeJson(text) as { error?: { code?: string; message?: string } } | undefined;
        throw new CallbackRefused(res.status, envelope?.error?.code ?? 'unknown', envelope?.error?.message ?? text);
      }
    };
  }

  /** Whether this installation builds previews now (a live worker serving builds with a sandbox), and the limits. */
  async capabilities(): Promise<PreviewBuildCapabilities> {
    let live = false;
    if (this.deps.options.enabled) {
      // Generous: a worker whose beats lag under load still builds (a dead one is gone from this after 30 s).
      const staleBefore = Date.now() - Math.max(STALE_AFTER_BEATS * this.deps.options.heartbeatIntervalMs, 30_000);
      const workers = await this.deps.heartbeats.list().catch(() => []);
      live = workers.some(
        (w) =>
          new Date(w.last_heartbeat_at).getTime() >= staleBefore &&
          (w.queues ?? []).some((q) => q.startsWith(PREVIEW_BUILD_QUEUE)) &&
          w.sandbox !== undefined &&
          w.sandbox !== 'unavailable',
      );
    }
    return { remote_builds: live, max_files: this.deps.options.maxFiles, max_bytes: this.deps.options.maxBytes };
  }

  /**
   * Takes the tree of a preview to build (member role; the preview still awaits its bundle): checks the limits (413)
   * and every path (400), keeps the list, and answers which blobs to upload, each with a presigned PUT.
   */
  async setFiles(auth: AuthContext, previewId: string, body: PreviewFilesBody): Promise<PreviewFilesAnswer> {
    const preview = await this.openPreview(auth, previewId);
    const { maxFiles, maxBytes } = this.deps.options;
    if (body.files.length > maxFiles) {
      throw errors.payloadTooLarge(
        `The tree has ${body.files.length} files, above the limit of ${maxFiles} (HIVESYNC_BUILD_MAX_FILES).`,
      );
    }
    const total = body.files.reduce((n, f) => n + f.size, 0);
    if (total > maxBytes) {
      throw errors.payloadTooLarge(
        `The tree is ${total} bytes, above the limit of ${maxBytes} bytes (HIVESYNC_BUILD_MAX_BYTES).`,
      );
    }
    const files = checkTree(body.files);
    if (body.entry !== undefined && !files.some((f) => f.path === body.entry)) {
      throw errors.validation(`entry: ${body.entry} is not one of the files.`);
    }
    const saved = await this.repo.setFiles({
      id: crypto.randomUUID(),
      previewId: preview.id,
      projectId: preview.projectId,
      entry: body.entry ?? null,
      files,
      totalBytes: total,
    });
    if (!saved) throw errors.conflict('The build of this preview has already started: start a new preview.');
    const hashes = [...new Set(files.map((f) => f.sha256))];
    const known = await this.repo.knownBlobs(preview.projectId, hashes);
    const missing = hashes.filter((h) => !known.has(h));
    const uploads: Record<string, PresignedUpload> = {};
    for (const sha256 of missing) {
      const put = await this.deps.artifacts.presignPut(
        `${BLOB_UPLOADS}${preview.projectId}/${sha256}`,
        UPLOAD_URL_SECONDS,
        'application/octet-stream',
      );
      uploads[sha256] = { method: 'PUT', url: put.url, headers: put.headers };
    }
    return { missing, uploads, files: files.length, bytes: total };
  }

  /**
   * Starts the build (member role): every blob of the tree must be held or uploaded; an upload whose bytes do not
   * match its hash is deleted and answered 400, one not uploaded yet 409. Then the build job is queued.
   */
  async start(auth: AuthContext, previewId: string): Promise<PreviewBuild> {
    const preview = await this.openPreview(auth, previewId);
    const build = await this.repo.findByPreview(preview.id);
    if (!build) throw errors.conflict('Send the file list first: POST /previews/{id}/files.');
    if (build.status !== 'awaiting_files') return toBuild(build);
    const sizes = new Map(build.files.map((f) => [f.sha256, f.size]));
    const known = await this.repo.knownBlobs(preview.projectId, [...sizes.keys()]);
    const absent: string[] = [];
    for (const [sha256, size] of sizes) {
      if (known.has(sha256)) continue;
      const verdict = await this.checkUpload(preview.projectId, sha256, size);
      if (verdict === 'absent') absent.push(sha256);
      else if (verdict !== 'ok') {
        const names = build.files.filter((f) => f.sha256 === sha256).map((f) => f.path);
        throw errors.validation(
          `${names[0]}: ${verdict === 'size' ? 'the uploaded size' : 'the SHA-256 of the uploaded bytes'} does not match the file list; the upload was discarded, upload it again.`,
          { sha256, paths: names.slice(0, 10) },
        );
      }
    }
    if (absent.length > 0) {
      const paths = build.files.filter((f) => absent.includes(f.sha256)).map((f) => f.path);
      throw errors.conflict(
        `${absent.length} blob${absent.length === 1 ? ' was' : 's were'} not uploaded yet (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}): PUT them to their upload URLs first.`,
        { missing: absent.slice(0, 100) },
      );
    }
    const queued = await this.deps.db.transaction(async (tx) => {
      const row = await new PreviewBuildsRepository(tx.orm).transition(build.id, ['awaiting_files'], {
        status: 'queued',
        stage: 'queued',
      });
      if (row) await this.deps.queue.send(PREVIEW_BUILD_QUEUE, { build_id: row.id }, tx);
      return row;
    });
    const current = queued ?? (await this.repo.find(build.id))!;
    await this.progress(current, preview.createdBy);
    return toBuild(current);
  }

  /** The build of a preview (viewer role). */
  async get(auth: AuthContext, previewId: string): Promise<PreviewBuild> {
    const preview = await this.deps.previews().repo.find(previewId);
    if (!preview) throw errors.notFound('preview');
    await this.deps.projects.requireProjectRole(auth, preview.projectId, 'viewer');
    const build = await this.repo.findByPreview(preview.id);
    if (!build) throw errors.notFound('build');
    return toBuild(build);
  }

  /**
   * The build job: assembles the tree in a fresh sandbox directory, bundles it there, stores the bundle and reports.
   * A failed build (the bundler's error, the deadline, a limit) is a finished job, reported as `failed`.
   */
  async run(buildId: string, logger: Logger): Promise<void> {
    const claimed = await this.repo.transition(buildId, ['queued', 'running'], {
      status: 'running',
      stage: 'assembling',
      startedAt: new Date(),
    });
    if (!claimed) return;
    const preview = await this.deps.previews().repo.find(claimed.previewId);
    if (!preview || preview.status !== 'pending_upload') {
      await this.finish(claimed, preview?.createdBy ?? null, {
        code: 'preview_gone',
        message: `The preview is ${preview?.status ?? 'gone'}; nothing was built.`,
      });
      return;
    }
    await this.progress(claimed, preview.createdBy);
    const sandbox = this.sandbox;
    if (!sandbox || sandbox.kind === 'unavailable') {
      await this.fail(claimed, preview.id, preview.createdBy, {
        code: 'sandbox_unavailable',
        message: sandbox?.reason ?? 'This worker has no sandbox for builds.',
      });
      return;
    }
    const job = await sandbox.jobDir();
    try {
      const src = path.join(job.dir, 'src');
      for (const file of claimed.files) {
        const bytes = await this.deps.artifacts.get(`${BLOBS}${claimed.projectId}/${file.sha256}`);
        if (!bytes) {
          await this.repo.removeBlob(claimed.projectId, file.sha256);
          throw new Error(`the blob of ${file.path} is missing from the artifacts bucket`);
        }
        const target = path.join(src, ...file.path.split('/'));
        await fs.mkdir(path.dirname(target), { recursive: true });
        // `wx`: never through an existing entry (the tree holds no links; checkTree refused file/folder clashes).
        await fs.writeFile(target, bytes, { flag: 'wx', mode: 0o600 });
      }
      await fs.writeFile(
        path.join(job.dir, 'request.json'),
        JSON.stringify({ platform: preview.platform, entry: claimed.entry ?? undefined }),
      );
      const bundling = await this.repo.transition(buildId, ['running'], { stage: 'bundling' });
      if (bundling) await this.progress(bundling, preview.createdBy);
      const result = await sandbox
        .run({
          dir: job.dir,
          script: BUILD_RUNNER_SCRIPT,
          modules: bundlerModules(),
          env: { ESBUILD_BINARY_PATH: esbuildBinaryInside() },
          limits: { ...this.deps.options.sandbox, timeoutMs: this.deps.options.timeoutMs },
        })
        .catch((err: unknown) => (err instanceof SandboxUnavailableError ? err : Promise.reject(err)));
      if (result instanceof SandboxUnavailableError) {
        logger.error({ sandbox: 'unavailable' }, result.message);
        await this.fail(claimed, preview.id, preview.createdBy, {
          code: 'sandbox_unavailable',
          message: result.message,
        });
        return;
      }
      if (result.timedOut) {
        await this.fail(claimed, preview.id, preview.createdBy, {
          code: 'build_timeout',
          message: `The build did not finish within ${Math.round(this.deps.options.timeoutMs / 1000)} s (HIVESYNC_BUILD_TIMEOUT_SECONDS).`,
        });
        return;
      }
      const output = safeJson(result.stdout.toString()) as RunnerOutput | undefined;
      if (result.outputExceeded || !output || result.code !== 0) {
        const why = result.outputExceeded
          ? 'its output passed the sandbox limit'
          : (result.stderr.trim().split('\n').at(-1) ?? `exit code ${result.code}`);
        logger.warn({ code: result.code, stderr: result.stderr.slice(-2000) }, 'preview build stopped');
        await this.fail(claimed, preview.id, preview.createdBy, {
          code: 'build_resources',
          message: `The build stopped: ${why} (sandbox limits: HIVESYNC_SANDBOX_*).`,
        });
        return;
      }
      if (!output.ok) {
        await this.fail(claimed, preview.id, preview.createdBy, {
          code: output.code,
          message: output.message,
          ...errorLocation(output.errors),
        });
        return;
      }
      const storing = await this.repo.transition(buildId, ['running'], { stage: 'storing' });
      if (storing) await this.progress(storing, preview.createdBy);
      const bytes = await fs.readFile(path.join(job.dir, 'out', 'bundle'));
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      if (bytes.length > this.deps.options.maxBundleBytes) {
        await this.fail(claimed, preview.id, preview.createdBy, {
          code: 'bundle_too_large',
          message: `The bundle is ${bytes.length} bytes, above the ${this.deps.options.maxBundleBytes}-byte limit (HIVESYNC_PREVIEW_MAX_BUNDLE_BYTES).`,
        });
        return;
      }
      await this.deps.storage.put(preview.uploadKey, bytes);
      await this.report(preview.id, { status: 'succeeded', sha256, size: bytes.length });
      await this.finish(claimed, preview.createdBy, null);
    } finally {
      await job.remove();
    }
  }

  /** The queue gave up on a build (its worker died on every attempt): the build and its preview fail. */
  async abandon(buildId: string, reason: string): Promise<void> {
    const build = await this.repo.find(buildId);
    if (!build || build.status === 'succeeded' || build.status === 'failed') return;
    const preview = await this.deps.previews().repo.find(build.previewId);
    await this.fail(build, build.previewId, preview?.createdBy ?? null, {
      code: 'internal_error',
      message: `The build could not run: ${reason}`,
    });
  }

  /** Deletes blob uploads never used within `olderThanMs` (and checks interrupted midway). */
  async sweepUploads(olderThanMs: number): Promise<number> {
    const before = Date.now() - olderThanMs;
    let swept = 0;
    for (const prefix of [BLOB_UPLOADS, BLOB_VERIFYING]) {
      for (const object of await this.deps.artifacts.list(prefix, 5000)) {
        if (object.modifiedAt.getTime() > before) continue;
        await this.deps.artifacts.delete(object.key);
        swept++;
      }
    }
    return swept;
  }

  private async openPreview(auth: AuthContext, previewId: string) {
    if (!this.deps.options.enabled) {
      throw errors.serviceUnavailable('Server-side preview builds are turned off here (HIVESYNC_BUILDS=false).');
    }
    const preview = await this.deps.previews().repo.find(previewId);
    if (!preview) throw errors.notFound('preview');
    await this.deps.projects.requireProjectRole(auth, preview.projectId, 'member');
    if (preview.status === 'expired' || preview.status === 'deleted' || preview.expiresAt <= new Date())
      throw errors.previewTokenExpired();
    if (preview.status !== 'pending_upload') throw errors.conflict(`The preview is already ${preview.status}.`);
    return preview;
  }

  /**
   * Checks an uploaded blob: moved out of its URL's reach first (a PUT racing this check lands on the upload key,
   * never read again), then its size and SHA-256; kept under blobs/ when right, deleted when wrong.
   */
  private async checkUpload(
    projectId: string,
    sha256: string,
    size: number,
  ): Promise<'ok' | 'absent' | 'size' | 'hash'> {
    const upload = `${BLOB_UPLOADS}${projectId}/${sha256}`;
    if (!(await this.deps.artifacts.head(upload))) return 'absent';
    const staged = `${BLOB_VERIFYING}${projectId}/${sha256}-${crypto.randomBytes(4).toString('hex')}`;
    try {
      await this.deps.artifacts.move(upload, staged);
    } catch (err) {
      if (!(await this.deps.artifacts.head(upload))) return 'absent';
      throw err;
    }
    try {
      const head = await this.deps.artifacts.head(staged);
      if (!head) return 'absent';
      if (head.size !== size) return 'size';
      if ((await this.deps.artifacts.sha256(staged)) !== sha256) return 'hash';
      await this.deps.artifacts.move(staged, `${BLOBS}${projectId}/${sha256}`);
      await this.repo.addBlob(projectId, sha256, size);
      return 'ok';
    } finally {
      await this.deps.artifacts.delete(staged).catch(() => undefined);
    }
  }

  private async fail(
    build: PreviewBuildRow,
    previewId: string,
    createdBy: string | null,
    error: { code: string; message: string; file?: string | null; line?: number | null; column?: number | null },
  ): Promise<void> {
    const message = error.message.slice(0, MAX_ERROR_MESSAGE);
    try {
      await this.report(previewId, { status: 'failed', error: { code: error.code, message } });
    } catch (err) {
      // A preview that expired or completed meanwhile: the build's own row still says why it ended.
      this.deps.logger.warn(
        { preview_id: previewId, err: { message: (err as Error).message } },
        'build report refused',
      );
    }
    await this.finish(build, createdBy, { ...error, message });
  }

  private async finish(
    build: PreviewBuildRow,
    createdBy: string | null,
    error: { code: string; message: string; file?: string | null; line?: number | null; column?: number | null } | null,
  ): Promise<void> {
    const row = await this.repo.transition(build.id, ['queued', 'running'], {
      status: error ? 'failed' : 'succeeded',
      stage: 'done',
      finishedAt: new Date(),
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      errorFile: error?.file ?? null,
      errorLine: error?.line ?? null,
      errorColumn: error?.column ?? null,
    });
    if (row) await this.progress(row, createdBy);
  }

  /** Tells the preview's creator's open event streams where the build is (`preview_build_progress`). */
  private async progress(row: PreviewBuildRow, createdBy: string | null): Promise<void> {
    if (!createdBy) return;
    await this.deps.notifications
      .publishLive([createdBy], 'preview_build_progress', toBuild(row))
      .catch((err: Error) => this.deps.logger.warn({ err: { message: err.message } }, 'build progress not published'));
  }
}

/** A refusal of the signed callback (the preview expired, was completed, or the signature was refused). */
export class CallbackRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`the build callback was refused (${status} ${code}): ${message}`);
    this.name = 'CallbackRefused';
  }
}

const SEGMENT = /^[^/\\\0]+$/;

/**
 * Checks every path of a tree: relative, `/`-separated, no `.`/`..`/empty segments, no backslash or NUL, no
 * symlink, no duplicate, and no file that is also a folder of another. Returns the files (without `type`).
 */
export function checkTree(
  files: { path: string; sha256: string; size: number; type?: 'file' | 'symlink' }[],
): PreviewBuildFile[] {
  const seen = new Set<string>();
  const folders = new Set<string>();
  const out: PreviewBuildFile[] = [];
  files.forEach((f, i) => {
    const bad = (why: string) => errors.validation(`files[${i}].path: ${JSON.stringify(f.path)} ${why}`, { index: i });
    if (f.type === 'symlink') throw bad('is a symbolic link: a build tree holds regular files only.');
    if (f.path.startsWith('/') || /^[A-Za-z]:/.test(f.path)) throw bad('is absolute: paths are relative to the tree.');
    const parts = f.path.split('/');
    if (parts.some((p) => p === '..')) throw bad('leaves the tree (..).');
    if (parts.some((p) => p === '' || p === '.' || !SEGMENT.test(p)))
      throw bad('is not a clean relative path (empty or "." segments, backslashes or NUL).');
    if (seen.has(f.path)) throw bad('is listed twice.');
    seen.add(f.path);
    for (let k = 1; k < parts.length; k++) folders.add(parts.slice(0, k).join('/'));
    out.push({ path: f.path, sha256: f.sha256, size: f.size });
  });
  for (const f of out) {
    if (folders.has(f.path)) throw errors.validation(`files: ${JSON.stringify(f.path)} is both a file and a folder.`);
  }
  return out;
}

/** The API's view of a build. */
export function toBuild(row: PreviewBuildRow): PreviewBuild {
  return {
    build_id: row.id,
    preview_id: row.previewId,
    status: row.status,
    stage: row.stage as PreviewBuild['stage'],
    files: row.fileCount,
    bytes: row.totalBytes,
    error: row.errorCode
      ? {
          code: row.errorCode,
          message: row.errorMessage ?? '',
          file: row.errorFile,
          line: row.errorLine,
          column: row.errorColumn,
        }
      : null,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
