import type { FastifyReply } from 'fastify';
import { ErrorEnvelope } from '@hivesync/core';
import { z } from 'zod';

/** Error responses a route documents, beside its success schema. */
export function withErrors<T extends Record<number, z.ZodType>>(
  success: T,
  ...statuses: number[]
): T & Record<number, z.ZodType> {
  const out: Record<number, z.ZodType> = { ...success };
  for (const status of [400, 401, 500, ...statuses]) out[status] = ErrorEnvelope;
  return out as T & Record<number, z.ZodType>;
}

/** The schema of a 204 answer. */
export const NoContent = z.null().describe('No content');

/** Ends a reply with no body at all (204, 304): not even a serialized `null`, and no Content-Length. */
export function sendEmpty(reply: { code(status: number): unknown }, status: 204 | 304) {
  return (reply as FastifyReply).code(status).send();
}
