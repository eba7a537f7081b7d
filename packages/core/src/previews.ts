import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** Where a preview runs. */
export const PreviewPlatform = z.enum(['ios', 'android', 'web']);
export type PreviewPlatform = z.infer<typeof PreviewPlatform>;

/** pending_upload → ready → consumed; any of them → expired → deleted; failed when a build worker reports so. */
export const PreviewStatus = z.enum(['pending_upload', 'ready', 'consumed', 'expired', 'deleted', 'failed']);
export type PreviewStatus = z.infer<typeof PreviewStatus>;

/** The alphabet of preview codes: no 0/O, 1/I/L look-alikes. */
export const PREVIEW_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** Length of a preview code. */
export const PREVIEW_CODE_LENGTH = 8;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a lowercase hex SHA-256' });

export const CreatePreviewBody = z
  .object({
    project_id: Id,
    platform: PreviewPlatform,
    /** The bundle's hash and size when the client knows them already: the token then names the bundle. */
    sha256: Sha256.optional(),
    size: z.number().int().min(1).optional(),
  })
  .meta({ id: 'CreatePreviewBody' });
export type CreatePreviewBody = z.infer<typeof CreatePreviewBody>;

export const PresignedUpload = z.object({
  method: z.literal('PUT'),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
});
export type PresignedUpload = z.infer<typeof PresignedUpload>;

export const PreviewCreated = z
  .object({
    preview_id: Id,
    token: z.string(),
    code: z.string(),
    expires_at: Timestamp,
    status: z.literal('pending_upload'),
    upload: PresignedUpload,
    /** False when the project already holds a bundle with the given sha256: complete without uploading. */
    upload_required: z.boolean(),
  })
  .meta({ id: 'PreviewCreated' });
export type PreviewCreated = z.infer<typeof PreviewCreated>;

export const CompletePreviewBody = z
  .object({ sha256: Sha256, size: z.number().int().min(1) })
  .meta({ id: 'CompletePreviewBody' });
export type CompletePreviewBody = z.infer<typeof CompletePreviewBody>;

export const Preview = z
  .object({
    preview_id: Id,
    project_id: Id,
    platform: PreviewPlatform,
    status: PreviewStatus,
    sha256: z.string().nullable(),
    size: z.number().int().nullable(),
    expires_at: Timestamp,
    created_at: Timestamp,
    ready_at: Timestamp.nullable(),
    consumed_at: Timestamp.nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    /**
     * The short code people type (or scan as `<server>/p/<code>`), shown to the project's members and above, who may
     * publish previews themselves; null for viewers and in answers to build workers.
     */
    code: z.string().nullable().optional(),
  })
  .meta({ id: 'Preview' });
export type Preview = z.infer<typeof Preview>;

/** Previews per page of a project's list: 50 by default, at most 100. */
export const PREVIEW_PAGE_MAX = 100;

export const ListPreviewsQuery = z.object({
  project_id: Id,
  limit: z.coerce.number().int().min(1).max(PREVIEW_PAGE_MAX).optional(),
  /** The `next_cursor` of the previous page. */
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be a next_cursor from a previous page' })
    .optional(),
});

export const PreviewList = z
  .object({
    /** Newest first. */
    previews: z.array(Preview),
    /** Pass as `cursor` for the next page; null on the last one. */
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'PreviewList' });
export type PreviewList = z.infer<typeof PreviewList>;

export const PreviewParams = z.object({ preview_id: Id });

/**
 * A code or a token, and the platform of the client resolving it: a preview made for another platform is refused
 * (409 preview_platform_mismatch) without being used. Without `platform` any platform resolves it.
 */
export const ResolvePreviewBody = z
  .union([
    z.object({ token: z.string().min(1).max(2048), platform: PreviewPlatform.optional() }).strict(),
    z.object({ code: z.string().min(1).max(32), platform: PreviewPlatform.optional() }).strict(),
  ])
  .meta({ id: 'ResolvePreviewBody' });
export type ResolvePreviewBody = z.infer<typeof ResolvePreviewBody>;

export const ResolvedPreview = z
  .object({
    preview_id: Id,
    project_id: Id,
    platform: PreviewPlatform,
    download_url: z.string(),
    sha256: z.string(),
    size: z.number().int(),
    expires_at: Timestamp,
  })
  .meta({ id: 'ResolvedPreview' });
export type ResolvedPreview = z.infer<typeof ResolvedPreview>;

/** What a sandboxed build worker reports about a job (a server-side preview build). */
export const WorkerCallbackBody = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('running') }),
    z.object({ status: z.literal('succeeded'), sha256: Sha256, size: z.number().int().min(1) }),
    z.object({
      status: z.literal('failed'),
      error: z.object({ code: z.string().max(64), message: z.string().max(2000) }),
    }),
  ])
  .meta({ id: 'WorkerCallbackBody' });
export type WorkerCallbackBody = z.infer<typeof WorkerCallbackBody>;

/**
 * The bundle format, so that builders and viewers agree: a web bundle is one HTML document with its script
 * inlined (served to a sandboxed iframe); an ios/android bundle is one JavaScript file in which `react` and
 * `react-native` are external (`require`d from the host app), as Expo Snack does.
 */
export const BUNDLE_CONTENT_TYPES: Record<PreviewPlatform, string> = {
  web: 'text/html; charset=utf-8',
  ios: 'application/javascript',
  android: 'application/javascript',
};
