import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import {
  AuthSession,
  ListSessionsQuery,
  LoginBody,
  LogoutAllResult,
  LogoutBody,
  RefreshBody,
  RegisterBody,
  SessionList,
  SessionParams,
  User,
} from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { NoContent, sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';
import type { ClientInfo } from './auth.service.js';

// Who is logging in, as the client says: its name (X-HiveSync-Client, as the SDK sends it) and User-Agent.
function clientInfo(req: FastifyRequest): ClientInfo {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { client: header('x-hivesync-client'), userAgent: header('user-agent') };
}

/** /auth: register, login, refresh, logout, me, sessions. */
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
      async (req, reply) => reply.code(201).send(await services.auth.register(req.body, req.ip, clientInfo(req))),
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
      async (req) => services.auth.login(req.body, req.ip, clientInfo(req)),
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
          summary: 'Log out: ends this access token’s session and the given refresh token’s',
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
    app.get(
      '/auth/sessions',
      {
        onRequest: authenticate,
        schema: {
          tags: ['auth'],
          summary: 'The caller’s open sessions (one per login), newest first, paged; the current one marked',
          security: [{ bearer: [] }],
          querystring: ListSessionsQuery,
          response: withErrors({ 200: SessionList }),
        },
      },
      async (req) => services.auth.sessions(caller(req), req.query),
    );
    app.delete(
      '/auth/sessions/:id',
      {
        onRequest: authenticate,
        schema: {
          tags: ['auth'],
          summary: 'Revoke one of the caller’s sessions: its refresh and access tokens stop working at once',
          security: [{ bearer: [] }],
          params: SessionParams,
          response: withErrors({ 204: NoContent }, 404),
        },
      },
      async (req, reply) => {
        await services.auth.revokeSession(caller(req), req.params.id);
        return sendEmpty(reply, 204);
      },
    );
    app.post(
      '/auth/logout_all',
      {
        onRequest: authenticate,
        schema: {
          tags: ['auth'],
          summary: 'Log out everywhere: revoke every session of the caller, this one included',
          security: [{ bearer: [] }],
          response: withErrors({ 200: LogoutAllResult }),
        },
      },
      async (req) => services.auth.logoutAll(caller(req)),
    );
  };
}
