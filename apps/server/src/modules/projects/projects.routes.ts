import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AddMemberBody,
  CreateProjectBody,
  ListMembersQuery,
  Member,
  MemberAdded,
  MemberList,
  MemberParams,
  Project,
  ProjectList,
  ProjectParams,
  UpdateMemberBody,
  UpdateProjectBody,
} from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { NoContent, sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /projects and /projects/{id}/members. */
export function projectRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    const tags = ['projects'];
    const security = [{ bearer: [] }];
    app.post(
      '/projects',
      {
        schema: {
          tags,
          security,
          summary: 'Create a project',
          body: CreateProjectBody,
          response: withErrors({ 201: Project }),
        },
      },
      async (req, reply) => reply.code(201).send(await services.projects.create(caller(req), req.body)),
    );
    app.get(
      '/projects',
      {
        schema: {
          tags,
          security,
          summary: 'Projects the caller is a member of',
          response: withErrors({ 200: ProjectList }),
        },
      },
      async (req) => ({ projects: await services.projects.list(caller(req)) }),
    );
    app.get(
      '/projects/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One project',
          params: ProjectParams,
          response: withErrors({ 200: Project }, 404),
        },
      },
      async (req) => services.projects.get(caller(req), req.params.id),
    );
    app.patch(
      '/projects/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Change a project (admin or owner)',
          params: ProjectParams,
          body: UpdateProjectBody,
          response: withErrors({ 200: Project }, 403, 404),
        },
      },
      async (req) => services.projects.update(caller(req), req.params.id, req.body),
    );
    app.delete(
      '/projects/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Delete a project (owner)',
          params: ProjectParams,
          response: withErrors({ 204: NoContent }, 403, 404),
        },
      },
      async (req, reply) => {
        await services.projects.delete(caller(req), req.params.id);
        return sendEmpty(reply, 204);
      },
    );
    app.post(
      '/projects/:id/members',
      {
        schema: {
          tags,
          security,
          summary: 'Add a member (admin or owner)',
          params: ProjectParams,
          body: AddMemberBody,
          response: withErrors({ 201: MemberAdded }, 403, 404, 409),
        },
      },
      async (req, reply) =>
        reply.code(201).send(await services.projects.addMember(caller(req), req.params.id, req.body)),
    );
    app.get(
      '/projects/:id/members',
      {
        schema: {
          tags,
          security,
          summary: 'Members of a project, in the order added: all of them, or with `limit` a page',
          params: ProjectParams,
          querystring: ListMembersQuery,
          response: withErrors({ 200: MemberList }, 404),
        },
      },
      async (req) => services.projects.listMembersPage(caller(req), req.params.id, req.query),
    );
    app.patch(
      '/projects/:id/members/:user_id',
      {
        schema: {
          tags,
          security,
          summary: 'Change a member’s role (admin or owner); the owner’s own role cannot be changed',
          params: MemberParams,
          body: UpdateMemberBody,
          response: withErrors({ 200: Member }, 403, 404, 409),
        },
      },
      async (req) => services.projects.updateMember(caller(req), req.params.id, req.params.user_id, req.body),
    );
    app.delete(
      '/projects/:id/members/:user_id',
      {
        schema: {
          tags,
          security,
          summary: 'Remove a member (admin or owner), or leave a project',
          params: MemberParams,
          response: withErrors({ 204: NoContent }, 403, 404, 409),
        },
      },
      async (req, reply) => {
        await services.projects.removeMember(caller(req), req.params.id, req.params.user_id);
        return sendEmpty(reply, 204);
      },
    );
  };
}
