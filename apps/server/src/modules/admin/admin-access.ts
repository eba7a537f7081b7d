import { AppError, errors } from '@hivesync/core';
import type { FastifyRequest } from 'fastify';
// The declaration of request.auth (a module augmentation), for programs that compile this file without the app.
import type {} from '../../http/auth-hook.js';
import type { AuthContext } from '../auth/auth.types.js';

/**
 * Instance admins only: for anyone else the admin area does not exist (404, the same answer as an unknown route),
 * so its routes reveal nothing about the installation.
 */
export function requireInstanceAdmin(auth: AuthContext): void {
  if (auth.role !== 'admin') throw errors.notFound('route');
}

/** An onRequest hook (after authenticate) that answers a non-admin exactly as an unknown route would. */
export async function adminOnly(request: FastifyRequest): Promise<void> {
  if (request.auth?.role !== 'admin') {
    throw new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
  }
}

/** A 400 naming the limit that was passed (`what`: the parameter). */
export function badInput(what: string, message: string): AppError {
  return errors.validation(`${what}: ${message}`, { issues: [{ path: `query.${what}`, message }] });
}
