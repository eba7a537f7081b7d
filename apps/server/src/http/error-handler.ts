import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, errors, type ErrorEnvelope } from '@hivesync/core';
import { isStorageFull } from '../infra/storage.js';

/** Turns an error into the envelope and status of docs/API.md; never leaks a stack, SQL or internal message. */
export function toEnvelope(
  err: unknown,
  request: FastifyRequest,
): { status: number; body: ErrorEnvelope; headers: Record<string, string> } {
  const appError = classify(err, request);
  return {
    status: appError.status,
    headers: appError.headers,
    body: {
      error: {
        code: appError.code,
        message: appError.message,
        request_id: request.id,
        retryable: appError.retryable,
        ...(appError.details && { details: appError.details }),
      },
    },
  };
}

function classify(err: unknown, request: FastifyRequest): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'is invalid',
    }));
    const first = issues[0];
    const message = first ? `${first.path.replace(/^body\./, '')}: ${first.message}` : 'The request is invalid.';
    return errors.validation(message, { issues });
  }
  if (isResponseSerializationError(err)) {
    request.log.error({ err, method: err.method, url: err.url }, 'response did not match its schema');
    return errors.internal();
  }
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.validation('Send the request body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.validation('The request body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.validation('The request body is not valid JSON.');
    default:
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return errors.validation('The request body is not valid JSON.');
  }
  if (fe.statusCode === 413) return errors.payloadTooLarge();
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    request.log.info({ code: fe.code }, 'client error from the HTTP layer');
    return errors.validation(fe.message ?? 'The request is invalid.');
  }
  const refused = refusedValue(err);
  if (refused) {
    // A value that passed the schema but not the database (a number beyond its column, text it cannot store).
    request.log.info({ err }, 'the database refused a value of the request');
    return errors.validation(refused);
  }
  if (isStorageFull(err)) {
    request.log.error({ err: { message: (err as Error).message } }, 'no storage space left');
    return errors.storageFull();
  }
  if (isConnectionFailure(err)) {
    request.log.warn({ err: { message: (err as Error).message } }, 'a backend is unreachable');
    return errors.serviceUnavailable('A backend the server needs is unreachable; try again shortly.');
  }
  request.log.error({ err }, 'unhandled error');
  return errors.internal();
}

/** Registers the envelope for every error and for unknown routes. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply: FastifyReply) => {
    const { status, body, headers } = toEnvelope(err, request);
    void reply.code(status).headers(headers).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toEnvelope(
      new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`),
      request,
    );
    void reply.code(status).send(body);
  });
}

// Connection-level failures of PostgreSQL (or anything reached over a socket): the request may work when retried.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

// PostgreSQL's data exceptions that only a value sent by the client can cause, with what to tell it.
const REFUSED_VALUES: Record<string, string> = {
  '22001': 'A text in the request is too long.',
  '22003': 'A number in the request is out of range.',
  '22021': 'The request holds text that cannot be stored (a NUL byte or invalid UTF-8).',
  '22P05': 'The request holds text that cannot be stored (a NUL byte or invalid UTF-8).',
  '22P02': 'A value in the request is not valid.',
  '22007': 'A date or time in the request is not valid.',
  '22008': 'A date or time in the request is out of range.',
};

function refusedValue(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && Object.hasOwn(REFUSED_VALUES, e.code)) return REFUSED_VALUES[e.code];
    e = e.cause as typeof e;
  }
  return undefined;
}

function isConnectionFailure(err: unknown): boolean {
  for (
    let e = err as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (e.code && CONNECTION_CODES.has(e.code)) return true;
    if (
      /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        e.message ?? '',
      )
    )
      return true;
  }
  return false;
}
