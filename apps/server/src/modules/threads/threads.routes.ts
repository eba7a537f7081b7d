import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AiJob,
  CommentBody,
  CommentParams,
  CreateTaskBody,
  CreateThreadBody,
  Id,
  ListTasksQuery,
  ListThreadsQuery,
  ProjectParams,
  Task,
  TaskList,
  Thread,
  ThreadList,
  ThreadParams,
  ThreadAiBody,
  ThreadQuery,
  UpdateTaskBody,
} from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { NoContent, sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /projects/{id}/threads, /threads/{id}, /projects/{id}/tasks, /tasks/{id}. */
export function threadRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    const security = [{ bearer: [] }];
    const t = { tags: ['threads'], security };
    const threads = services.threads;
    app.get(
      '/projects/:id/threads',
      {
        schema: {
          ...t,
          summary:
            'A page of a project’s threads (50 by default, `next_cursor` for the next), at their stored positions at a commit (the mirror’s current one by default); state defaults to open',
          params: ProjectParams,
          querystring: ListThreadsQuery,
          response: withErrors({ 200: ThreadList }, 404),
        },
      },
      async (req) => threads.list(caller(req), req.params.id, req.query),
    );
    app.post(
      '/projects/:id/threads',
      {
        config: { userLimit: 'comments' },
        schema: {
          ...t,
          summary: 'Start a thread on lines of a file (viewers may comment)',
          params: ProjectParams,
          body: CreateThreadBody,
          response: withErrors({ 201: Thread }, 404, 409, 413),
        },
      },
      async (req, reply) => reply.code(201).send(await threads.create(caller(req), req.params.id, req.body)),
    );
    app.get(
      '/threads/:id',
      {
        schema: {
          ...t,
          summary: 'A thread with its comments and its position at a commit',
          params: ThreadParams,
          querystring: ThreadQuery,
          response: withErrors({ 200: Thread }, 404),
        },
      },
      async (req) => threads.get(caller(req), req.params.id, req.query.commit),
    );
    app.delete(
      '/threads/:id',
      {
        schema: {
          ...t,
          summary: 'Delete a thread (its author or a project admin)',
          params: ThreadParams,
          response: withErrors({ 204: NoContent }, 403, 404),
        },
      },
      async (req, reply) => {
        await threads.deleteThread(caller(req), req.params.id);
        return sendEmpty(reply, 204);
      },
    );
    app.post(
      '/threads/:id/replies',
      {
        config: { userLimit: 'comments' },
        schema: {
          ...t,
          summary: 'Reply; @mentions notify the members named',
          params: ThreadParams,
          body: CommentBody,
          response: withErrors({ 201: Thread }, 404),
        },
      },
      async (req, reply) => reply.code(201).send(await threads.reply(caller(req), req.params.id, req.body.body)),
    );
    app.post(
      '/projects/:id/threads/:thread_id/ai',
      {
        config: { userLimit: 'aiJobs' },
        schema: {
          ...t,
          summary:
            'Ask the HiveSync assistant about a thread (member role): `explain` its lines, or `suggest_fix` (needs a language model); the answer is posted in the thread, with the suggestion when it made a patch',
          params: z.object({ id: Id, thread_id: Id }),
          body: ThreadAiBody,
          response: withErrors({ 202: AiJob }, 403, 404, 409),
        },
      },
      async (req, reply) =>
        reply
          .code(202)
          .send(await services.ai.askInThread(caller(req), req.params.id, req.params.thread_id, req.body.action)),
    );
    for (const [action, state] of [
      ['resolve', 'resolved'],
      ['reopen', 'open'],
    ] as const) {
      app.post(
        `/threads/:id/${action}`,
        {
          schema: {
            ...t,
            summary: `${action === 'resolve' ? 'Resolve' : 'Reopen'} a thread (its author or a member)`,
            params: ThreadParams,
            response: withErrors({ 200: Thread }, 403, 404),
          },
        },
        async (req) => threads.setState(caller(req), req.params.id, state),
      );
    }
    app.patch(
      '/threads/:id/comments/:comment_id',
      {
        schema: {
          ...t,
          summary: 'Edit your comment',
          params: CommentParams,
          body: CommentBody,
          response: withErrors({ 200: Thread }, 403, 404),
        },
      },
      async (req) => threads.editComment(caller(req), req.params.id, req.params.comment_id, req.body.body),
    );
    app.delete(
      '/threads/:id/comments/:comment_id',
      {
        schema: {
          ...t,
          summary: 'Delete your comment',
          params: CommentParams,
          response: withErrors({ 204: NoContent }, 403, 404),
        },
      },
      async (req, reply) => {
        await threads.deleteComment(caller(req), req.params.id, req.params.comment_id);
        return sendEmpty(reply, 204);
      },
    );

    const k = { tags: ['tasks'], security };
    app.get(
      '/projects/:id/tasks',
      {
        schema: {
          ...k,
          summary: 'Tasks of a project',
          params: ProjectParams,
          querystring: ListTasksQuery,
          response: withErrors({ 200: TaskList }, 404),
        },
      },
      async (req) => ({ tasks: await threads.listTasks(caller(req), req.params.id, req.query) }),
    );
    app.post(
      '/projects/:id/tasks',
      {
        schema: {
          ...k,
          summary: 'Create a task (member role)',
          params: ProjectParams,
          body: CreateTaskBody,
          response: withErrors({ 201: Task }, 403, 404),
        },
      },
      async (req, reply) => reply.code(201).send(await threads.createTask(caller(req), req.params.id, req.body)),
    );
    const TaskParams = z.object({ id: Id });
    app.get(
      '/tasks/:id',
      { schema: { ...k, summary: 'A task', params: TaskParams, response: withErrors({ 200: Task }, 404) } },
      async (req) => threads.getTask(caller(req), req.params.id),
    );
    app.patch(
      '/tasks/:id',
      {
        schema: {
          ...k,
          summary: 'Change a task; a new assignee is notified',
          params: TaskParams,
          body: UpdateTaskBody,
          response: withErrors({ 200: Task }, 403, 404),
        },
      },
      async (req) => threads.updateTask(caller(req), req.params.id, req.body),
    );
    app.delete(
      '/tasks/:id',
      {
        schema: {
          ...k,
          summary: 'Delete a task',
          params: TaskParams,
          response: withErrors({ 204: NoContent }, 403, 404),
        },
      },
      async (req, reply) => {
        await threads.deleteTask(caller(req), req.params.id);
        return sendEmpty(reply, 204);
      },
    );
  };
}
