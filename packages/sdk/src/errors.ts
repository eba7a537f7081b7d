import type { ErrorCode } from '@hivesync/core';

/**
 * An error code: one of the API's codes, `network_error` for a request that never got an answer, or a code a newer
 * server added. `(string & {})` keeps editor completion for the known codes while accepting any string.
 */
export type HiveSyncErrorCode = ErrorCode | 'network_error' | (string & {});

/** What a HiveSyncError is built from. */
export interface HiveSyncErrorInit {
  code: HiveSyncErrorCode;
  message: string;
  status: number;
  requestId?: string | undefined;
  retryable: boolean;
  details?: Record<string, unknown> | undefined;
  retryAfter?: number | undefined;
  cause?: unknown;
}

/** Every failed call throws this: the API's error envelope, plus the HTTP status and Retry-After. */
export class HiveSyncError extends Error {
  /** The envelope's `error.code`; branch on this, never on the message. */
  readonly code: HiveSyncErrorCode;
  /** The HTTP status, or 0 when the server could not be reached. */
  readonly status: number;
  /** The request id the server answered with, to quote in a bug report. */
  readonly requestId: string | undefined;
  /** Whether repeating the same request may succeed. */
  readonly retryable: boolean;
  /** The envelope's `error.details`, when present. */
  readonly details: Record<string, unknown> | undefined;
  /** Seconds to wait before retrying, from the Retry-After header, when present. */
  readonly retryAfter: number | undefined;

  constructor(init: HiveSyncErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HiveSyncError';
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryable = init.retryable;
    this.details = init.details;
    this.retryAfter = init.retryAfter;
  }
}

/** Whether a value is a HiveSyncError (also across copies of the SDK, where instanceof fails). */
export function isHiveSyncError(value: unknown): value is HiveSyncError {
  return value instanceof HiveSyncError || (value instanceof Error && value.name === 'HiveSyncError');
}

/** Parses a Retry-After header (delta-seconds or an HTTP date) into whole seconds. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Builds the error for a non-2xx response from its body text (an error envelope, or anything else). Without an
 * envelope the code is `internal_error`, or `fallback.code` when given (a storage server's answer to a presigned
 * request, say).
 */
export function errorFromResponse(
  status: number,
  headers: Headers,
  text: string,
  fallback?: { code: HiveSyncErrorCode; message: string },
): HiveSyncError {
  const retryAfter = parseRetryAfter(headers.get('retry-after'));
  const headerRequestId = headers.get('x-request-id') ?? undefined;
  const envelope = parseEnvelope(text);
  if (!envelope) {
    return new HiveSyncError({
      code: fallback?.code ?? 'internal_error',
      message: fallback?.message ?? `The server answered HTTP ${status} with a body that is not a HiveSync error.`,
      status,
      requestId: headerRequestId,
      retryable: status >= 500 || status === 429,
      retryAfter,
    });
  }
  return new HiveSyncError({
    code: envelope.code,
    message: envelope.message,
    status,
    requestId: envelope.request_id ?? headerRequestId,
    retryable: envelope.retryable ?? (status >= 500 || status === 429),
    details: envelope.details,
    retryAfter,
  });
}

interface EnvelopeError {
  code: string;
  message: string;
  request_id?: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

function parseEnvelope(text: string): EnvelopeError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !isObject(parsed.error)) return undefined;
  const e = parsed.error;
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return undefined;
  return {
    code: e.code,
    message: e.message,
    ...(typeof e.request_id === 'string' && { request_id: e.request_id }),
    ...(typeof e.retryable === 'boolean' && { retryable: e.retryable }),
    ...(isObject(e.details) && { details: e.details }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
