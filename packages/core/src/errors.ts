import { z } from 'zod';

/**
 * Every error code the API can answer with, its HTTP status and whether repeating the same request may succeed.
 * docs/API.md is the contract; `errors.test.ts` keeps this table, that page and docs/ERRORS.md in step.
 */
export const ERROR_CATALOGUE = {
  validation_error: { status: 400, retryable: false },
  repo_url_forbidden: { status: 400, retryable: false },
  unauthorized: { status: 401, retryable: false },
  token_expired: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  conflict: { status: 409, retryable: false },
  repo_not_synced: { status: 409, retryable: true },
  index_missing: { status: 409, retryable: true },
  preview_platform_mismatch: { status: 409, retryable: false },
  preview_token_expired: { status: 410, retryable: false },
  preview_token_consumed: { status: 410, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  unprocessable: { status: 422, retryable: false },
  rate_limited: { status: 429, retryable: true },
  internal_error: { status: 500, retryable: true },
  service_unavailable: { status: 503, retryable: true },
  repo_repairing: { status: 503, retryable: true },
  storage_full: { status: 507, retryable: false },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

/** A stable, machine-readable error code; clients branch on these, never on messages. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** All error codes, in catalogue order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The body of every non-2xx response. */
export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      request_id: z.string(),
      retryable: z.boolean(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** The one error type of the system: services throw it, the HTTP layer turns it into an ErrorEnvelope. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers, such as Retry-After. */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

const PLATFORM_NAMES: Record<string, string> = { ios: 'iOS', android: 'Android', web: 'the web' };

/** One factory per error code, so call sites read as what happened. */
export const errors = {
  validation: (message: string, details?: Record<string, unknown>) =>
    new AppError('validation_error', message, { details }),
  repoUrlForbidden: (message: string) =>
    new AppError('repo_url_forbidden', message, { details: { field: 'repo_url' } }),
  unauthorized: (message = 'Authentication is required.') => new AppError('unauthorized', message),
  tokenExpired: () => new AppError('token_expired', 'The access token has expired; refresh it or log in again.'),
  forbidden: (message = 'Your role does not allow this.') => new AppError('forbidden', message),
  notFound: (what = 'resource') => new AppError('not_found', `The ${what} was not found.`),
  conflict: (message: string, details?: Record<string, unknown>) => new AppError('conflict', message, { details }),
  unprocessable: (message: string, details?: Record<string, unknown>) =>
    new AppError('unprocessable', message, { details }),
  indexMissing: (commit: string) =>
    new AppError('index_missing', `Commit ${commit} is not indexed for search yet; indexing has started, try again.`, {
      details: { commit },
      headers: { 'retry-after': '5' },
    }),
  repoNotSynced: () =>
    new AppError('repo_not_synced', 'The repository has not been synced yet; start a sync and try again.'),
  previewPlatformMismatch: (platform: string, requested: string) =>
    new AppError(
      'preview_platform_mismatch',
      `This preview is for ${PLATFORM_NAMES[platform] ?? platform}, not ${PLATFORM_NAMES[requested] ?? requested}: open the code in the HiveSync app on ${PLATFORM_NAMES[platform] ?? platform}. It has not been used.`,
      { details: { platform, requested_platform: requested } },
    ),
  previewTokenExpired: () => new AppError('preview_token_expired', 'This preview has expired.'),
  previewTokenConsumed: () => new AppError('preview_token_consumed', 'This preview has already been opened.'),
  payloadTooLarge: (message = 'The request body is too large.') => new AppError('payload_too_large', message),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError('rate_limited', `Too many requests; try again in ${retryAfterSeconds} s.`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
      details: { retry_after_seconds: retryAfterSeconds },
    }),
  internal: () => new AppError('internal_error', 'An unexpected error occurred.'),
  serviceUnavailable: (message = 'The service is temporarily unavailable.') =>
    new AppError('service_unavailable', message),
  repoRepairing: (syncId: string) =>
    new AppError(
      'repo_repairing',
      'This part of the repository mirror is damaged and is being fetched again from the remote; try again shortly.',
      { details: { sync_id: syncId }, headers: { 'retry-after': '30' } },
    ),
  storageFull: () => new AppError('storage_full', 'The server has no storage space left.'),
} as const;
