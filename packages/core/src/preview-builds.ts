import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { PresignedUpload } from './previews.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a lowercase hex SHA-256' });

/**
 * One file of a tree to build on the server. `path` is relative, `/`-separated, without `.` or `..` segments;
 * `type` defaults to `file` (a `symlink` is refused: a build tree holds regular files only).
 */
export const PreviewFile = z.object({
  path: z.string().min(1).max(1024),
  sha256: Sha256,
  size: z.number().int().min(0),
  type: z.enum(['file', 'symlink']).optional(),
});
export type PreviewFile = z.infer<typeof PreviewFile>;

/** The whole tree of a server-side build (the server keeps it until `build`). */
export const PreviewFilesBody = z
  .object({
    files: z.array(PreviewFile).min(1),
    /** The entry file, relative to the tree; found by convention when omitted (as the client-side build does). */
    entry: z.string().min(1).max(1024).optional(),
  })
  .meta({ id: 'PreviewFilesBody' });
export type PreviewFilesBody = z.infer<typeof PreviewFilesBody>;

/** Which blobs the server lacks, and a presigned upload for each (the others it already holds for the project). */
export const PreviewFilesAnswer = z
  .object({
    /** SHA-256 of each blob to upload, once each. */
    missing: z.array(z.string()),
    /** By SHA-256: where to PUT that blob's bytes (15 minutes). */
    uploads: z.record(z.string(), PresignedUpload),
    files: z.number().int(),
    bytes: z.number().int(),
  })
  .meta({ id: 'PreviewFilesAnswer' });
export type PreviewFilesAnswer = z.infer<typeof PreviewFilesAnswer>;

/** Where a server-side build is. */
export const PreviewBuildStage = z.enum(['awaiting_files', 'queued', 'assembling', 'bundling', 'storing', 'done']);
export type PreviewBuildStage = z.infer<typeof PreviewBuildStage>;

/** A server-side preview build. */
export const PreviewBuild = z
  .object({
    build_id: Id,
    preview_id: Id,
    status: z.enum(['awaiting_files', 'queued', 'running', 'succeeded', 'failed']),
    stage: PreviewBuildStage,
    files: z.number().int(),
    bytes: z.number().int(),
    /**
     * Why it failed: `build_failed` (the bundler's error, with `file`, `line` and `column` of the first one),
     * `entry_not_found`, `outside_project`, `build_timeout`, `build_resources` (a sandbox limit), `sandbox_unavailable`.
     */
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        file: z.string().nullable(),
        line: z.number().int().nullable(),
        column: z.number().int().nullable(),
      })
      .nullable(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
  })
  .meta({ id: 'PreviewBuild' });
export type PreviewBuild = z.infer<typeof PreviewBuild>;

/** Whether this server builds previews, and the limits of one build. */
export const PreviewBuildCapabilities = z
  .object({
    /** True when server-side builds are on and a live worker can run them (it serves the `cpu` pool, sandboxed). */
    remote_builds: z.boolean(),
    max_files: z.number().int(),
    max_bytes: z.number().int(),
  })
  .meta({ id: 'PreviewBuildCapabilities' });
export type PreviewBuildCapabilities = z.infer<typeof PreviewBuildCapabilities>;
