import crypto from 'node:crypto';
import type http from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { AppError, errors } from '@hivesync/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  AGENT_API_PREFIX,
  AGENT_APP_PATH,
  AGENT_COOKIE,
  AGENT_HEADER,
  type AgentHealth,
  type AgentLaunch,
  type AgentSessionState,
  type PutMappingBody,
} from '@hivesync/sdk';
import { sendError, sendRefusal, upstreamError } from './envelope.js';
import type { EventsHub } from './events-hub.js';
import { runLocalHealth } from './health-local.js';
import { applySuggestion, revertSuggestion } from './suggestions.js';
import { sendPreview } from './preview-route.js';
import { gitState, listFiles } from './local.js';
import type { MappedProject, MappingStore } from './mappings.js';
import type { PollCache } from './poll-cache.js';
import { pipeAnswer, readAll, sendUnreachable, type Forwarder } from './proxy.js';
import type { SecretStore } from './secret-store.js';
import type { Session } from './session.js';
import { LAUNCH_TTL_MS, type UiAccess } from './ui-access.js';
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
  /** Launch tokens and cookies of the desktop renderer. */
  ui: UiAccess;
  /** The built desktop renderer, served at /hivesync-desktop-api/app/ (none: the route answers 404). */
  uiDir?: string;
  /** Called after the renderer signed the agent in or out (the discovery file names the user). */
  onSessionChange?: () => Promise<void>;
  /** Where records of applied suggestions are kept (for their revert). */
  recordsDir: string;
}

/** How a request proved it may use the agent: the bearer token, the renderer's cookie, or a launch token. */
type Credential = 'token' | 'cookie' | 'launch';

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

  // The access check below reads the cookie itself; the plugin's hook must still be on, as @fastify/cookie 11.0 only
  // writes Set-Cookie headers (its onSend hook) when it has one.
  void app.register(fastifyCookie, { hook: 'onRequest' });
  const expected = crypto.createHash('sha256').update(deps.token).digest();
  const credentials = new WeakMap<FastifyRequest, Credential>();
  const P = AGENT_API_PREFIX;
  const appPath = `${P}${AGENT_APP_PATH}`;
  app.addHook('onRequest', async (req, reply) => {
    const port = deps.port();
    // Browsers send Origin with every cross-origin request (and with same-origin ones that change something). Only
    // the agent's own pages, the desktop renderer it serves, may use it from a browser; Node's fetch sends none (it
    // does send Sec-Fetch-Mode, so that header cannot tell a browser apart).
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}`) {
      return sendRefusal(
        req,
        reply,
        'origin',
        'The HiveSync agent answers no web page but its own desktop UI (a request with a foreign Origin).',
      );
    }
    const host = (req.headers.host ?? '').toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return sendRefusal(req, reply, 'host', `The HiveSync agent answers only to 127.0.0.1:${port}, not to "${host}".`);
    }
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === appPath && typeof (req.query as { launch?: unknown }).launch === 'string') {
      credentials.set(req, 'launch');
    } else if (bearerMatches(req.headers.authorization, expected)) {
      credentials.set(req, 'token');
    } else if (deps.ui.validCookie(cookieOf(app, req))) {
      credentials.set(req, 'cookie');
    } else {
      return sendRefusal(
        req,
        reply,
        'token',
        'Send the token of this agent (from its discovery file ~/.hivesync/agent.json) as Authorization: Bearer, or open the desktop UI through its launch URL.',
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

  // A one-time launch URL for the desktop renderer; only the token holder (the desktop's main process) gets one.
  app.post(`${P}/launch`, async (req, reply): Promise<AgentLaunch | FastifyReply> => {
    if (credentials.get(req) !== 'token') {
      return sendRefusal(req, reply, 'token', 'Only the holder of the agent’s token may ask for a launch URL.');
    }
    return { url: launchUrl(deps.port(), deps.ui.newLaunchToken()), expires_in: LAUNCH_TTL_MS / 1000 };
  });

  // The launch URL: spends its token for the cookie, then sends the browser on without the token in the address bar.
  app.get(appPath, async (req, reply) => {
    if (credentials.get(req) === 'launch') {
      const cookie = deps.ui.exchange((req.query as { launch: string }).launch);
      if (cookie === undefined) {
        return sendRefusal(
          req,
          reply,
          'launch',
          'This launch link was used already or has expired: open the desktop UI again from the app.',
        );
      }
      return reply
        .code(303)
        .headers({ ...UI_HEADERS, 'cache-control': 'no-store' })
        .setCookie(AGENT_COOKIE, cookie, { path: P, httpOnly: true, sameSite: 'strict' })
        .redirect(appPath, 303);
    }
    if (deps.uiDir === undefined) throw errors.notFound('desktop UI (this agent was started without one)');
    return reply.headers(UI_HEADERS).sendFile('index.html');
  });
  if (deps.uiDir !== undefined) {
    void app.register(fastifyStatic, {
      root: deps.uiDir,
      prefix: appPath,
      index: false,
      wildcard: true,
      setHeaders: (res) => void res.headers(UI_HEADERS),
    });
  }

  // Signing the agent in and out: the desktop renderer's own page only. Plugins (the token) stay refused, as for
  // their /api/v1/auth calls: they must not end or replace the session everyone shares.
  const rendererOnly = (req: FastifyRequest, reply: FastifyReply) => {
    if (credentials.get(req) === 'cookie') return undefined;
    return sendRefusal(
      req,
      reply,
      'session_call',
      'Only the desktop UI signs the agent in and out; in a terminal, run `hivesync login` and restart the agent.',
    );
  };
  app.post(`${P}/session`, async (req, reply): Promise<AgentSessionState | FastifyReply> => {
    const refused = rendererOnly(req, reply);
    if (refused) return refused;
    const body = jsonBody<{ email?: unknown; password?: unknown }>(req);
    if (typeof body.email !== 'string' || body.email === '') {
      throw errors.validation('email is required.', { field: 'email' });
    }
    if (typeof body.password !== 'string' || body.password === '') {
      throw errors.validation('password is required.', { field: 'password' });
    }
    try {
      await deps.session.signIn(body.email, body.password);
    } catch (err) {
      throw upstreamError(err);
    }
    deps.hub.endAll('session_changed', 'The HiveSync agent signed in as another session: reconnect.');
    deps.cache.invalidate();
    await deps.onSessionChange?.();
    return sessionState(deps.session);
  });
  app.delete(`${P}/session`, async (req, reply): Promise<AgentSessionState | FastifyReply> => {
    const refused = rendererOnly(req, reply);
    if (refused) return refused;
    await deps.session.signOut();
    deps.hub.endAll('signed_out', 'The HiveSync agent was signed out.');
    deps.cache.invalidate();
    await deps.onSessionChange?.();
    return sessionState(deps.session);
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

  // Applying and reverting AI suggestions in a mapped folder (docs/desktop.md).
  for (const [action, run] of [
    ['apply', applySuggestion],
    ['revert', revertSuggestion],
  ] as const) {
    app.post(`${P}/suggestions/:id/${action}`, async (req) => {
      const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? jsonBody<{ folder?: unknown }>(req) : {};
      if (body.folder !== undefined && typeof body.folder !== 'string') {
        throw errors.validation('folder must be an absolute path.', { field: 'folder' });
      }
      const suggestions = { client: deps.session.client, mappings: deps.mappings, recordsDir: deps.recordsDir };
      return run(suggestions, (req.params as { id: string }).id, body.folder);
    });
  }

  // Build and send a preview of a folder's app; progress goes to every plugin's event stream.
  app.post(`${P}/previews`, async (req) => {
    const body = jsonBody<{ folder?: unknown; platform?: unknown; project_id?: unknown }>(req);
    return sendPreview(
      { client: deps.session.client, mappings: deps.mappings, hub: deps.hub, serverUrl: deps.serverUrl },
      body,
      req.id,
    );
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

/** Headers of the desktop UI's pages: never framed, never sniffed, no Referer (a launch URL must not leak). */
const UI_HEADERS = {
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The one-time URL that opens the desktop renderer. */
export function launchUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}${AGENT_API_PREFIX}${AGENT_APP_PATH}?launch=${encodeURIComponent(token)}`;
}

// Compared in constant time, through hashes of equal length.
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const given = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  if (given === undefined) return false;
  return crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), expected);
}

function cookieOf(app: FastifyInstance, req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  try {
    return app.parseCookie(header)[AGENT_COOKIE];
  } catch {
    return undefined;
  }
}

function sessionState(session: Session): AgentSessionState {
  return { signed_in: session.signedIn, user_id: session.userId, email: session.email };
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
