import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuthSession, LoginBody, LogoutBody, RefreshBody, RegisterBody, User } from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { NoContent, sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /auth: register, login, refresh, logout, me. */
export function authRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/register',
      {
        schema: {
          tags: ['auth'],
          summary: 'Create an account (the first account of an instance is its admin)',
          body: RegisterBody,
          response: withErrors({ 201: AuthSession }, 409, 429),
        },
      },
      async (req, reply) => reply.code(201).send(await services.auth.register(req.body, req.ip)),
    );
    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Log in; a refresh token is issued only with remember: true',
          body: LoginBody,
          response: withErrors({ 200: AuthSession }, 429),
        },
      },
      async (req) => services.auth.login(req.body, req.ip),
    );
    app.post(
      '/auth/refresh',
      {
        schema: {
          tags: ['auth'],
          summary: 'Exchange a refresh token for new tokens (rotation; reuse revokes the session)',
          body: RefreshBody,
          response: withErrors({ 200: AuthSession }),
        },
      },
      async (req) => services.auth.refresh(req.body),
    );
    app.post(
      '/auth/logout',
      {
        onRequest: authenticate,
        schema: {
          tags: ['auth'],
          summary: 'Log out, revoking the given refresh token’s session',
          security: [{ bearer: [] }],
          body: LogoutBody.optional(),
          response: withErrors({ 204: NoContent }),
        },
      },
      async (req, reply) => {
        await services.auth.logout(caller(req), req.body?.refresh_token);
        return sendEmpty(reply, 204);
      },
    );
    app.get(
      '/auth/me',
      {
        onRequest: authenticate,
        schema: {
          tags: ['auth'],
          summary: 'The caller',
          security: [{ bearer: [] }],
          response: withErrors({ 200: User }),
        },
      },
      async (req) => services.auth.me(caller(req)),
    );
  };
}
