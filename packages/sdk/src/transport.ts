import type { AuthSession } from '@hivesync/core';
import { AGENT_REFUSED_HEADER } from './agent-protocol.js';
import { Router, type AgentOptions, type ClientMode, type Route, type RouteKind } from './auto-mode.js';
import { errorFromResponse, HiveSyncError } from './errors.js';
import { SDK_VERSION } from './version.js';

/** Options every call accepts. */
export interface RequestOptions {
  /** Sent as X-Request-Id (the server echoes it and logs it); when omitted the server makes one up. */
  requestId?: string;
  /** Aborts the call; the promise then rejects with the signal's reason (an AbortError), not a HiveSyncError. */
  signal?: AbortSignal;
}

/** The tokens a client holds; null when it holds none. */
export interface HiveSyncTokens {
  accessToken: string | null;
  refreshToken: string | null;
}

/** How to build a HiveSyncClient. */
export interface HiveSyncClientOptions {
  /** The server root, such as http://127.0.0.1:8080; the client adds /api/v1. */
  baseUrl: string;
  accessToken?: string | null;
  /** Enables the automatic refresh of an expired access token. */
  refreshToken?: string | null;
  /** Called whenever the client's tokens change (login, register, refresh, logout, a refused refresh token). */
  onTokens?: (tokens: HiveSyncTokens) => void | Promise<void>;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** Put in front of the SDK's own User-Agent, such as `hivesync-cli/0.1.0`. */
  userAgent?: string;
  /**
   * This client's name (vscode, desktop, mobile, web, cli…; a short lowercase token), sent as X-HiveSync-Client on
   * every call: notifications can then be marked read for this client only (`scope: 'client'`).
   */
  client?: string;
  /**
   * Wraps every automatic refresh, so that several processes sharing stored tokens refresh one at a time (the server
   * revokes a whole session when a refresh token is presented twice). Inside, you may call `client.setTokens()` with tokens
   * another process stored: when the access token is no longer the expired one, the refresh is skipped.
   */
  refreshLock?: (refresh: () => Promise<void>) => Promise<void>;
  /**
   * `direct` (the default): straight to baseUrl. `agent`: through the local agent (Proxy Mode), which adds the
   * user's token, so the client sends none. `auto`: through the agent while one answers for this server, else
   * direct; a request that fails at the connection level on one route is sent once more on the other (see
   * docs/desktop.md). Node only for the discovery file; in a browser auto mode stays direct.
   */
  mode?: ClientMode;
  /** How agent and auto modes find the agent. */
  agent?: AgentOptions;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One HTTP call, as the area classes describe it. */
export interface Call {
  method: Method;
  /** Path under /api/v1, or under the server root when `root` is set. */
  path: string;
  root?: boolean;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Send the access token (and refresh it when it has expired). Default true. */
  auth?: boolean;
  headers?: Record<string, string>;
  /** Non-2xx statuses that are answers rather than errors, such as 304 or a 503 health report. */
  accept?: readonly number[];
}

/** A successful answer: the status, the headers and the parsed JSON body (undefined when empty). */
export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** The API's base path. */
export const API_PREFIX = '/api/v1';

/**
 * Calls about the client's own session: always sent straight to the server (the agent refuses them), so that a
 * client never logs the agent's session out or in.
 */
const SESSION_PATHS = new Set(['/auth/login', '/auth/register', '/auth/refresh', '/auth/logout', '/auth/logout_all']);

/** Connection-level failures where the request was never sent: safe to send again whatever its method. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Sends calls, holds the tokens, and refreshes an expired access token once per expiry. */
export class Transport {
  readonly baseUrl: string;
  private accessToken: string | null;
  private refreshToken: string | null;
  private readonly fetchImpl: typeof fetch;
  private readonly userAgent: string;
  private refreshing: Promise<void> | undefined;
  private readonly router: Router;

  constructor(private readonly options: HiveSyncClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`baseUrl is not a URL: ${options.baseUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be an http or https URL: ${options.baseUrl}`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.accessToken = options.accessToken ?? null;
    this.refreshToken = options.refreshToken ?? null;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const runtime = typeof process !== 'undefined' && process.version ? ` node/${process.version}` : '';
    this.userAgent = `${options.userAgent ? `${options.userAgent} ` : ''}hivesync-sdk/${SDK_VERSION}${runtime}`;
    this.router = new Router(options.mode ?? 'direct', this.baseUrl, this.fetchImpl, options.agent);
  }

  /** The route the last request took (`agent` or `direct`), or undefined before the first request. */
  get route(): RouteKind | undefined {
    return this.router.kind;
  }

  get tokens(): HiveSyncTokens {
    return { accessToken: this.accessToken, refreshToken: this.refreshToken };
  }

  /** Replaces the tokens without calling onTokens (the caller already knows them). */
  setTokens(tokens: HiveSyncTokens): void {
    this.accessToken = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
  }

  /** Replaces the tokens and tells onTokens. */
  async changeTokens(tokens: HiveSyncTokens): Promise<void> {
    this.setTokens(tokens);
    await this.options.onTokens?.({ ...tokens });
  }

  /** Sends a call and returns its parsed JSON body. */
  async json<T>(call: Call, opts: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(call, opts)).body;
  }

  /** Sends a call; an expired access token is refreshed and the call retried, once. */
  async send<T>(call: Call, opts: RequestOptions = {}): Promise<Reply<T>> {
    return this.finish<T>(await this.fetchWithRefresh(call, opts), call);
  }

  /**
   * Sends a call whose answer is read as it arrives (an event stream): resolves with the response as soon as its
   * headers are in, its body unread. An expired access token is refreshed and the call retried, once, as in send();
   * a non-2xx answer throws its HiveSyncError.
   */
  async stream(call: Call, opts: RequestOptions = {}): Promise<Response> {
    const res = await this.fetchWithRefresh(call, opts);
    if (!res.ok) throw errorFromResponse(res.status, res.headers, await res.text());
    return res;
  }

  /**
   * Fetches a URL outside the API, such as a presigned upload or download URL: with exactly the given headers (no
   * access token, no SDK headers), a relative URL taken from the server root. A request that gets no answer throws
   * `network_error`; any answer, whatever its status, is returned.
   */
  async fetchUrl(
    url: string,
    init: { method: Method; headers?: Record<string, string>; body?: Uint8Array },
    opts: RequestOptions = {},
  ): Promise<Response> {
    const target = new URL(url, `${this.baseUrl}/`);
    try {
      return await this.fetchImpl(target, {
        method: init.method,
        headers: init.headers ?? {},
        body: init.body,
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      throw new HiveSyncError({
        code: 'network_error',
        message: `Cannot reach ${target.origin}: ${describeNetworkError(err)}.`,
        status: 0,
        retryable: true,
        details: { url: target.origin, cause: causeCode(err) },
        cause: err,
      });
    }
  }

  /** POST /auth/refresh with the held refresh token; stores the new pair and tells onTokens. */
  async refresh(opts: RequestOptions = {}): Promise<AuthSession> {
    const refreshToken = this.refreshToken;
    if (refreshToken === null) {
      throw new HiveSyncError({
        code: 'unauthorized',
        message: 'This client holds no refresh token; log in with remember: true.',
        status: 401,
        retryable: false,
      });
    }
    let session: AuthSession;
    try {
      session = await this.json<AuthSession>(
        { method: 'POST', path: '/auth/refresh', body: { refresh_token: refreshToken }, auth: false },
        opts,
      );
    } catch (err) {
      // A refused refresh token stays refused: forget it (unless another refresh replaced it meanwhile).
      if (err instanceof HiveSyncError && err.status === 401 && this.refreshToken === refreshToken) {
        await this.changeTokens({ accessToken: null, refreshToken: null });
      }
      throw err;
    }
    await this.changeTokens({ accessToken: session.access_token, refreshToken: session.refresh_token ?? refreshToken });
    return session;
  }

  // Concurrent callers that hit the same expiry share one refresh.
  private refreshAfterExpiry(expired: string | null): Promise<void> {
    this.refreshing ??= this.runRefresh(expired).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async runRefresh(expired: string | null): Promise<void> {
    const attempt = async () => {
      // Someone (another caller, or another process through refreshLock) already replaced the expired token.
      if (this.accessToken !== expired) return;
      await this.refresh();
    };
    await (this.options.refreshLock ? this.options.refreshLock(attempt) : attempt());
  }

  // An expired access token is refreshed (once per expiry, shared) and the call sent again, once. Through the agent
  // the client holds no token: the agent refreshes its own.
  private async fetchWithRefresh(call: Call, opts: RequestOptions): Promise<Response> {
    // In auto mode a write may be sent twice (once per route): one random key per logical call lets the server run it
    // once and replay its answer (docs/API.md, Idempotency-Key).
    if (this.router.mode === 'auto' && call.method !== 'GET' && !call.headers?.['idempotency-key']) {
      call = { ...call, headers: { ...call.headers, 'idempotency-key': globalThis.crypto.randomUUID() } };
    }
    const useAuth = call.auth !== false;
    const sentToken = useAuth ? this.accessToken : null;
    const first =
      SESSION_PATHS.has(call.path) && !call.root ? ({ kind: 'direct' } as const) : await this.router.route();
    const { res, route } = await this.fetchOnRoutes(call, opts, first, sentToken);
    if (res.status !== 401 || !useAuth || this.refreshToken === null || route.kind === 'agent') return res;
    const error = errorFromResponse(res.status, res.headers, await res.text());
    if (error.code !== 'token_expired') throw error;
    await this.refreshAfterExpiry(sentToken);
    return (await this.fetchOnRoutes(call, opts, route, this.accessToken)).res;
  }

  /**
   * Sends on `route`; when that fails at the connection level (or the agent refused a token it has since replaced),
   * sends once more on the route the router offers instead. A request that may have reached the server is sent again
   * only when repeating it is harmless (GET); otherwise only when the connection was refused before anything was sent.
   */
  private async fetchOnRoutes(
    call: Call,
    opts: RequestOptions,
    route: Route,
    token: string | null,
  ): Promise<{ res: Response; route: Route }> {
    let res: Response;
    try {
      res = await this.fetchOnce(call, opts, route, token);
    } catch (err) {
      if (!(err instanceof HiveSyncError) || err.code !== 'network_error' || opts.signal?.aborted) throw err;
      const cause = typeof err.details?.cause === 'string' ? err.details.cause : undefined;
      const repeatable =
        call.method === 'GET' ||
        call.headers?.['idempotency-key'] !== undefined ||
        (cause !== undefined && NOT_SENT.has(cause));
      const next = await this.router.failed(route, cause ?? 'network error');
      if (!next || !repeatable) throw err;
      return { res: await this.untilSettled(call, opts, next, token), route: next };
    }
    if (route.kind === 'agent' && res.status === 403 && res.headers.get(AGENT_REFUSED_HEADER) === 'token') {
      // Never forwarded: the agent restarted with a new token, or this one belongs to another user's agent.
      const next = await this.router.failed(route, 'the agent refused the token');
      if (next) {
        await res.body?.cancel().catch(() => undefined);
        return { res: await this.fetchOnce(call, opts, next, token), route: next };
      }
    }
    return { res, route };
  }

  /**
   * The retry of a keyed write on the other route: while the server still runs the first attempt (the agent died
   * after forwarding it) it answers 409 `idempotency_key_in_progress`; wait for that one to finish, then get its
   * answer replayed.
   */
  private async untilSettled(call: Call, opts: RequestOptions, route: Route, token: string | null): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.fetchOnce(call, opts, route, token);
      if (res.status !== 409 || call.headers?.['idempotency-key'] === undefined || attempt >= 20) return res;
      const text = await res.clone().text();
      if (!text.includes('"idempotency_key_in_progress"')) return res;
      await res.body?.cancel().catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 2000)));
    }
  }

  private async fetchOnce(call: Call, opts: RequestOptions, route: Route, token: string | null): Promise<Response> {
    const base =
      route.kind === 'agent'
        ? `${route.endpoint.url}${call.root ? '/server' : API_PREFIX}`
        : `${this.baseUrl}${call.root ? '' : API_PREFIX}`;
    const url = new URL(`${base}${call.path}${queryString(call.query)}`);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      ...(this.options.client !== undefined && { 'x-hivesync-client': this.options.client }),
      ...call.headers,
    };
    if (route.kind === 'agent') {
      if (route.endpoint.token !== null) headers.authorization = `Bearer ${route.endpoint.token}`;
    } else if (token !== null) headers.authorization = `Bearer ${token}`;
    if (opts.requestId !== undefined) headers['x-request-id'] = opts.requestId;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    try {
      return await this.fetchImpl(url, { method: call.method, headers, body, signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      const target = route.kind === 'agent' ? 'the HiveSync agent' : this.baseUrl;
      throw new HiveSyncError({
        code: 'network_error',
        message: `Cannot reach ${target}: ${describeNetworkError(err)}.`,
        status: 0,
        retryable: true,
        details: { url: url.origin, cause: causeCode(err) },
        cause: err,
      });
    }
  }

  private async finish<T>(res: Response, call: Call): Promise<Reply<T>> {
    const text = await res.text();
    const answered = res.ok || (call.accept?.includes(res.status) ?? false);
    if (!answered) throw errorFromResponse(res.status, res.headers, text);
    if (text.trim() === '') return { status: res.status, headers: res.headers, body: undefined as T };
    try {
      return { status: res.status, headers: res.headers, body: JSON.parse(text) as T };
    } catch {
      throw new HiveSyncError({
        code: 'internal_error',
        message: `The server answered HTTP ${res.status} with a body that is not JSON.`,
        status: res.status,
        requestId: res.headers.get('x-request-id') ?? undefined,
        retryable: false,
      });
    }
  }
}

/**
 * `?a=1&b=x%20y`, or '' when nothing is set. Percent-encodes every value with encodeURIComponent (a space is %20,
 * not the form encoding's `+`), so paths with spaces, `#`, `%`, `+`, `&` or any Unicode reach the server intact
 * whatever query parser it uses.
 */
function queryString(query: Call['query']): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function causeCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function describeNetworkError(err: unknown): string {
  const code = causeCode(err);
  if (code) return code;
  return err instanceof Error ? err.message : String(err);
}
