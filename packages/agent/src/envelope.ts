import { AppError, ERROR_CATALOGUE, errors, type ErrorCode } from '@hivesync/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_HEADER, AGENT_REFUSED_HEADER, isHiveSyncError, type AgentRefusal } from '@hivesync/sdk';
import { AGENT_VERSION } from './version.js';

/**
 * Answers with the API's error envelope (`{error: {code, message, request_id, retryable, details}}`) and the
 * catalogue's status for the code, exactly as the server would.
 */
export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
  headers: Record<string, string> = {},
): FastifyReply {
  const { status, retryable } = ERROR_CATALOGUE[code];
  return reply
    .code(status)
    .headers({ ...headers, [AGENT_HEADER]: AGENT_VERSION, 'x-request-id': req.id })
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, request_id: req.id, retryable, ...(details && { details }) } });
}

/** A 403 the agent gives before forwarding anything; the header tells clients it was the agent, and why. */
export function sendRefusal(req: FastifyRequest, reply: FastifyReply, reason: AgentRefusal, message: string) {
  return sendError(req, reply, 'forbidden', message, { agent: true, reason }, { [AGENT_REFUSED_HEADER]: reason });
}

/**
 * An SDK error from the agent's own call to the server, as the agent answers it: the server's code, message and
 * details (404 for what the user may not see, 401, 409…); a server out of reach is a 503.
 */
export function upstreamError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isHiveSyncError(err) && err.code in ERROR_CATALOGUE) {
    return new AppError(err.code as ErrorCode, err.message, { details: err.details });
  }
  const why = err instanceof Error ? err.message : String(err);
  return errors.serviceUnavailable(`The HiveSync agent cannot reach the server (${why}).`);
}
