import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AdminLogoutResult,
  AdminUpdateUserBody,
  AdminUser,
  AdminUserDetail,
  AdminUserPage,
  AdminUserQuery,
  Id,
} from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { NoContent, sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /admin/users: user management (registered inside adminRoutes, behind its authenticate and admin-only hooks). */
export function adminUserRoutes({ services }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['admin'];
    const security = [{ bearer: [] }];
    const params = z.object({ id: Id });
    const users = () => services.operations.users;
    app.get(
      '/admin/users',
      {
        schema: {
          tags,
          security,
          summary: 'Users by email, searched (q: email or name), filtered by role and disabled, paged by cursor',
          querystring: AdminUserQuery,
          response: withErrors({ 200: AdminUserPage }, 404),
        },
      },
      async (req) => users().list(caller(req), req.query),
    );
    app.get(
      '/admin/users/:id',
      {
        schema: {
          tags,
          security,
          summary: 'A user with their projects, last login and live sessions',
          params,
          response: withErrors({ 200: AdminUserDetail }, 404),
        },
      },
      async (req) => users().get(caller(req), req.params.id),
    );
    app.patch(
      '/admin/users/:id',
      {
        schema: {
          tags,
          security,
          summary:
            "Change a user's instance role and/or disable them (a disabled user's tokens stop working at once); 409 when it would leave no enabled admin",
          params,
          body: AdminUpdateUserBody,
          response: withErrors({ 200: AdminUser }, 404, 409),
        },
      },
      async (req) => users().update(caller(req), req.params.id, req.body),
    );
    app.post(
      '/admin/users/:id/logout',
      {
        schema: {
          tags,
          security,
          summary: 'End every session of a user',
          params,
          response: withErrors({ 200: AdminLogoutResult }, 404),
        },
      },
      async (req) => users().logout(caller(req), req.params.id),
    );
    app.delete(
      '/admin/users/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Delete a user; 409 while they own projects (transfer or delete them first) or for the last admin',
          params,
          response: withErrors({ 204: NoContent }, 404, 409),
        },
      },
      async (req, reply) => {
        await users().delete(caller(req), req.params.id);
        return sendEmpty(reply, 204);
      },
    );
  };
}
