import type { FastifyRequest } from 'fastify';
import { errors } from '@hivesync/core';
import type { AuthContext } from '../modules/auth/auth.types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` on every non-public route. */
    auth: AuthContext | null;
  }
}

/** Turns a bearer token into its caller, or throws unauthorized / token_expired. */
export type AccessTokenVerifier = (token: string) => Promise<AuthContext>;

/** An onRequest hook that requires a valid bearer token and records who is calling. */
export function authenticate(verify: AccessTokenVerifier) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (!header) throw errors.unauthorized('Send an access token as "Authorization: Bearer <token>".');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw errors.unauthorized('The Authorization header must be "Bearer <token>".');
    request.auth = { ...(await verify(match[1]!)), ip: request.ip };
  };
}

/** The caller of an authenticated route. */
export function caller(request: FastifyRequest): AuthContext {
  if (!request.auth) throw errors.unauthorized();
  return request.auth;
}
