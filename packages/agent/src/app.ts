import crypto from 'node:crypto';
import type http from 'node:http';
import { AppError, errors } from '@hivesync/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AGENT_API_PREFIX, AGENT_HEADER, type AgentHealth, type PutMappingBody } from '@hivesync/sdk';
import { sendError, sendRefusal } from './envelope.js';
import type { EventsHub } from './events-hub.js';
import { runLocalHealth } from './health-local.js';
import { gitState, listFiles } from './local.js';
import type { MappedProject, MappingStore } from './mappings.js';
import type { PollCache } from './poll-cache.js';
import { pipeAnswer, readAll, sendUnreachable, type Forwarder } from './proxy.js';
import type { SecretStore } from './secret-store.js';
import type { Session } from './session.js';
import { AGENT_VERSION } from './version.js';

/** What the agent's HTTP API is built from. */
export interface AgentAppDeps {
  serverUrl: string;
  /** The bearer token of this start. */
  token: string;
  /** The port once listening (for the Host check). */
  port: () => number;
  session: Session;
  forwarder: Forwarder;
  hub: EventsHub;
  cache: PollCache;
  mappings: MappingStore;
  secrets: SecretStore;
  startedAt: string;
  /** Called by POST /shutdown (`hivesync agent stop`). */
  shutdown: () => void;
}

/** Calls about a client's own session; the agent's session is not the plugins' to end or replace. */
const SESSION_CALLS = new Set(['auth/login', 'auth/register', 'auth/refresh', 'auth/logout', 'auth/logout_all']);

/** The most a request body may weigh (the server has its own, lower limits per route). */
const BODY_LIMIT = 64 * 1024 * 1024;

/**
 * The Local API on loopback. Every request must carry this start's bearer token, a loopback Host naming our port
 * (a DNS-rebinding page has its own host name there) and no Origin (browsers send one; no web page may use the
 * agent). Under /hivesync-desktop-api: the agent's own routes, /api/v1/* forwarded to the server with the user's
 * token, and /server/health* for the server's public health.
 */
export function buildAgentApp(deps: AgentAppDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
    },
  });
  // Bodies are forwarded byte for byte: no parsing on the way, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  const expected = crypto.createHash('sha256').update(deps.token).digest();
  app.addHook('onRequest', async (req, reply) => {
    // Browsers send Origin with every cross-origin request that could carry our token (Node's fetch sends none; it
    // does send Sec-Fetch-Mode, so that header cannot tell a browser apart).
    if (req.headers.origin !== undefined) {
      return sendRefusal(
        req,
        reply,
        'origin',
        'The HiveSync agent does not answer browsers (a request with an Origin).',
      );
    }
    const host = (req.headers.host ?? '').toLowerCase();
    const port = deps.port();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return sendRefusal(req, reply, 'host', `The HiveSync agent answers only to 127.0.0.1:${port}, not to "${host}".`);
    }
    const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const hashed = crypto
      .createHash('sha256')
      .update(given ?? '')
      .digest();
    if (given === undefined || !crypto.timingSafeEqual(hashed, expected)) {
      return sendRefusal(
        req,
        reply,
        'token',
        'Send the token of this agent (from its discovery file ~/.hivesync/agent.json) as Authorization: Bearer.',
      );
    }
    void reply.header(AGENT_HEADER, AGENT_VERSION);
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) return sendError(req, reply, err.code, err.message, err.details, err.headers);
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) return sendError(req, reply, 'payload_too_large', 'The request body is too large.');
    if (status !== undefined && status >= 400 && status < 500) {
      return sendError(req, reply, 'validation_error', err instanceof Error ? err.message : 'Bad request.');
    }
    return sendError(req, reply, 'internal_error', 'An unexpected error occurred in the HiveSync agent.');
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, 'not_found', `The HiveSync agent has no route ${req.method} ${req.url.split('?')[0]}.`),
  );

  const P = AGENT_API_PREFIX;

  app.get(`${P}/health`, async (): Promise<AgentHealth> => ({
    status: 'ok',
    agent: true,
    version: AGENT_VERSION,
    server_url: deps.serverUrl,
    signed_in: deps.session.signedIn,
    user_id: deps.session.userId,
    secret_store: deps.secrets.kind,
    pid: process.pid,
    started_at: deps.startedAt,
    event_subscribers: deps.hub.subscriberCount,
    upstream_stream: deps.hub.upstreamOpen,
  }));

  app.get(`${P}/health/local`, async () =>
    runLocalHealth({
      serverUrl: deps.serverUrl,
      client: deps.session.client,
      signedIn: deps.session.signedIn,
      mappings: await deps.mappings.list(),
    }),
  );

  app.post(`${P}/shutdown`, async (_req, reply) => {
    setImmediate(deps.shutdown);
    return reply.code(202).send({ stopping: true });
  });

  app.get(`${P}/mappings`, async (req) => {
    const folder = (req.query as { folder?: string }).folder;
    if (folder === undefined) return { mappings: await deps.mappings.list() };
    const found = await deps.mappings.find(folder);
    if (!found) throw errors.notFound('mapping for this folder');
    return found;
  });

  app.put(`${P}/mappings`, async (req) => {
    const body = jsonBody<Partial<PutMappingBody>>(req);
    if (typeof body.folder !== 'string') throw errors.validation('folder is required.', { field: 'folder' });
    if (typeof body.project_id !== 'string' || !/^[\w-]{1,64}$/.test(body.project_id)) {
      throw errors.validation('project_id is required.', { field: 'project_id' });
    }
    const project = await fetchProject(deps, req, body.project_id);
    return deps.mappings.put({ folder: body.folder, force: body.force === true, serverUrl: deps.serverUrl }, project);
  });

  app.delete(`${P}/mappings`, async (req, reply) => {
    const folder = (req.query as { folder?: string }).folder;
    if (typeof folder !== 'string') throw errors.validation('folder is required.', { field: 'folder' });
    if (!(await deps.mappings.remove(folder))) throw errors.notFound('mapping for this folder');
    return reply.code(204).send();
  });

  app.post(`${P}/local/files`, async (req) => {
    const body = jsonBody<{ folder?: unknown; paths?: unknown }>(req);
    if (typeof body.folder !== 'string') throw errors.validation('folder is required.', { field: 'folder' });
    if (body.paths !== undefined && !(Array.isArray(body.paths) && body.paths.every((p) => typeof p === 'string'))) {
      throw errors.validation('paths must be a list of relative paths.', { field: 'paths' });
    }
    return { folder: body.folder, files: await listFiles(body.folder, body.paths as string[] | undefined) };
  });

  app.get(`${P}/local/git`, async (req) => {
    const folder = (req.query as { folder?: string }).folder;
    if (typeof folder !== 'string') throw errors.validation('folder is required.', { field: 'folder' });
    return gitState(folder);
  });

  // The one upstream event stream, fanned out.
  app.get(`${P}/api/v1/events`, async (req, reply) => {
    if (!deps.session.signedIn) throw errors.unauthorized('The HiveSync agent is not signed in: run `hivesync login`.');
    const header = req.headers['last-event-id'];
    const query = (req.query as { last_event_id?: string }).last_event_id;
    const raw = typeof header === 'string' ? header : query;
    const last = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
    reply.hijack();
    deps.hub.subscribe(reply.raw, last, { [AGENT_HEADER]: AGENT_VERSION, 'x-request-id': req.id });
  });

  // The notifications poll, answered from the shared cache.
  app.get(`${P}/api/v1/notifications`, async (req, reply) => {
    const path = req.url.slice(P.length);
    let answer;
    try {
      answer = await deps.cache.poll(path, forwardedHeaders(req));
    } catch (err) {
      return sendUnreachable(req, reply, deps.serverUrl, err);
    }
    if ('passthrough' in answer) {
      return reply.code(answer.status).headers(plainHeaders(answer.headers)).send(answer.body);
    }
    void reply
      .code(answer.status)
      .headers({ ...answer.headers, 'x-hivesync-agent-cache': answer.upstream ? 'miss' : 'hit' });
    return answer.status === 304 ? reply.send() : reply.send(answer.body);
  });

  const forward = async (req: FastifyRequest, reply: FastifyReply, serverPath: string) => {
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    try {
      const upstream = await deps.forwarder.send({
        method: req.method,
        path: serverPath,
        headers: forwardedHeaders(req),
        body,
        signal: abort.signal,
      });
      if (req.method !== 'GET' && serverPath.startsWith('/api/v1/notifications')) deps.cache.invalidate();
      pipeAnswer(reply, upstream, AGENT_VERSION);
    } catch (err) {
      if (abort.signal.aborted) return;
      sendUnreachable(req, reply, deps.serverUrl, err);
    }
  };

  app.all(`${P}/api/v1/*`, async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    if (SESSION_CALLS.has(rest.split('?')[0]!.replace(/\/+$/, ''))) {
      return sendRefusal(
        req,
        reply,
        'session_call',
        'Log in and out with the server itself (hivesync login / logout); the agent keeps its own session.',
      );
    }
    await forward(req, reply, req.url.slice(P.length));
  });

  for (const path of ['/health', '/health/deep', '/health/workers']) {
    app.get(`${P}/server${path}`, async (req, reply) => forward(req, reply, req.url.slice(`${P}/server`.length)));
  }

  return app;
}

/** The plugin's headers, to be filtered further by the forwarder. */
function forwardedHeaders(req: FastifyRequest): http.IncomingHttpHeaders {
  return { ...req.headers, 'x-request-id': req.id };
}

function plainHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || ['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function jsonBody<T>(req: FastifyRequest): T {
  if (!Buffer.isBuffer(req.body)) throw errors.validation('A JSON body is required.');
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as T;
  } catch {
    throw errors.validation('The body is not a JSON object.');
  }
}

// The project as the user may see it; the server's own error (404 for a project they are not in) is passed on.
async function fetchProject(deps: AgentAppDeps, req: FastifyRequest, id: string): Promise<MappedProject> {
  const answer = await deps.forwarder.send({
    method: 'GET',
    path: `/api/v1/projects/${encodeURIComponent(id)}`,
    headers: { accept: 'application/json', 'x-request-id': req.id },
  });
  const text = (await readAll(answer.body)).toString('utf8');
  if (answer.status === 200) return JSON.parse(text) as MappedProject;
  let envelope: { error?: { code?: string; message?: string } } = {};
  try {
    envelope = JSON.parse(text) as typeof envelope;
  } catch {
    // not an envelope
  }
  const code = envelope.error?.code;
  if (code === 'not_found' || answer.status === 404) throw errors.notFound('project');
  if (answer.status === 401) throw errors.unauthorized(envelope.error?.message ?? 'The agent is not signed in.');
  throw errors.serviceUnavailable(`The server answered HTTP ${answer.status} for the project.`);
}
