import type * as Discovery from './agent-discovery.js';
import { AGENT_API_PREFIX, type AgentHealth } from './agent-protocol.js';
import { HiveSyncError } from './errors.js';

/**
 * How a client reaches the server: `direct` (the default), `agent` (always through the local agent), or `auto`
 * (through the agent while one answers for the same server, else direct, switching silently either way).
 */
export type ClientMode = 'direct' | 'agent' | 'auto';

/** Where the agent listens (its prefix included) and the bearer token it wants. */
export interface AgentEndpoint {
  /** Such as http://127.0.0.1:41234/hivesync-desktop-api. */
  url: string;
  /** The bearer token; null in a page the agent serves itself (the desktop renderer), which its cookie authenticates. */
  token: string | null;
}

/** How agent and auto modes find and watch the agent. */
export interface AgentOptions {
  /** The directory holding the discovery file `agent.json` (default `$HIVESYNC_AGENT_DIR`, else `~/.hivesync`). */
  dir?: string;
  /** Finds the agent another way than the discovery file (null: none); replaces `dir`. */
  discover?: () => Promise<AgentEndpoint | null>;
  /** How long the agent's /health may take before the agent counts as absent. Default 500 ms. */
  probeTimeoutMs?: number;
  /** While direct, how often auto mode looks for the agent again (in the background). Default 5000 ms. */
  reprobeMs?: number;
  /** Told each time the route changes, with the reason in words (for logs and `--verbose` output). */
  onRoute?: (route: RouteKind, reason: string) => void;
}

/** Which way a request goes. */
export type RouteKind = 'direct' | 'agent';

/** A route: straight to the server, or through the agent at `endpoint`. */
export type Route = { kind: 'direct' } | AgentRoute;

/** The route through the agent. */
export interface AgentRoute {
  kind: 'agent';
  endpoint: AgentEndpoint;
}

const DIRECT: Route = { kind: 'direct' };

/** The key two server URLs are compared by: scheme, host and path, without a trailing slash. */
export function sameServer(a: string, b: string): boolean {
  const key = (url: string) => {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
    } catch {
      return url;
    }
  };
  return key(a) === key(b);
}

/**
 * Decides the route of each request in agent and auto modes. The first request waits for one probe (the discovery
 * file, then the agent's /health within probeTimeoutMs); after that, auto mode never makes a request wait for a
 * probe: while direct it looks again in the background every reprobeMs, and a connection-level failure on one route
 * moves to the other at once.
 */
export class Router {
  private current: Route | undefined;
  private lastProbe = 0;
  private probing: Promise<AgentRoute | null> | undefined;

  constructor(
    readonly mode: ClientMode,
    private readonly serverUrl: string,
    private readonly fetchImpl: typeof fetch,
    private readonly options: AgentOptions = {},
  ) {}

  /** The route taken by the last request, or undefined before the first. */
  get kind(): RouteKind | undefined {
    return this.mode === 'direct' ? 'direct' : this.current?.kind;
  }

  /** The route for the next request. In agent mode without an agent it throws `network_error` (agent_not_running). */
  async route(): Promise<Route> {
    if (this.mode === 'direct') return DIRECT;
    if (this.mode === 'agent') {
      if (this.current?.kind === 'agent') return this.current;
      const found = await this.probe();
      if (!found) {
        throw new HiveSyncError({
          code: 'network_error',
          message: `No HiveSync agent answers for ${this.serverUrl}: start it with \`hivesync agent\` (or the desktop app).`,
          status: 0,
          retryable: true,
          details: { cause: 'agent_not_running' },
        });
      }
      this.set(found, 'the agent answered');
      return found;
    }
    if (this.current === undefined) {
      const found = await this.probe();
      this.set(found ?? DIRECT, found ? 'the agent answered' : 'no agent answered');
    } else if (
      this.mode === 'auto' &&
      this.current.kind === 'direct' &&
      Date.now() - this.lastProbe >= this.reprobeMs
    ) {
      // In the background: this request goes direct, the next ones through the agent if it answered.
      void this.probe().then((found) => {
        if (found && this.current?.kind === 'direct') this.set(found, 'the agent answered again');
      });
    }
    return this.current!;
  }

  /**
   * A request on `route` failed at the connection level (or the agent refused its token): the route to try the same
   * request on once more, or null when there is none. The next requests take that route too.
   */
  async failed(route: Route, why: string): Promise<Route | null> {
    if (this.mode === 'direct') return null;
    if (route.kind === 'agent') {
      // The agent may have restarted on another port or with another token: look once, right now.
      const found = await this.probe();
      if (found && (found.endpoint.url !== route.endpoint.url || found.endpoint.token !== route.endpoint.token)) {
        this.set(found, `the agent moved (${why})`);
        return found;
      }
      if (this.mode === 'agent') {
        this.current = undefined;
        return null;
      }
      this.set(DIRECT, `the agent stopped answering (${why})`);
      return DIRECT;
    }
    const found = await this.probe();
    if (!found) return null;
    this.set(found, `the server did not answer directly (${why})`);
    return found;
  }

  private get reprobeMs(): number {
    return this.options.reprobeMs ?? 5000;
  }

  private set(route: Route, reason: string): void {
    const changed = this.current?.kind !== route.kind;
    this.current = route;
    if (changed) this.options.onRoute?.(route.kind, reason);
  }

  // One probe at a time; concurrent callers share it.
  private probe(): Promise<AgentRoute | null> {
    this.probing ??= this.runProbe().finally(() => {
      this.lastProbe = Date.now();
      this.probing = undefined;
    });
    return this.probing;
  }

  private async runProbe(): Promise<AgentRoute | null> {
    let endpoint: AgentEndpoint | null;
    try {
      endpoint = await (this.options.discover ?? (() => discoverFromFile(this.options.dir)))();
    } catch {
      endpoint = null;
    }
    if (!endpoint) return null;
    try {
      const res = await this.fetchImpl(`${endpoint.url}/health`, {
        headers: {
          accept: 'application/json',
          ...(endpoint.token !== null && { authorization: `Bearer ${endpoint.token}` }),
        },
        signal: AbortSignal.timeout(this.options.probeTimeoutMs ?? 500),
      });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        return null;
      }
      const health = (await res.json()) as Partial<AgentHealth>;
      // An agent for another server, or one without a session, would answer every call wrongly.
      if (health.agent !== true || !health.signed_in || !sameServer(health.server_url ?? '', this.serverUrl))
        return null;
      return { kind: 'agent', endpoint };
    } catch {
      return null;
    }
  }
}

/** The agent named by the discovery file, or null (not in Node, no file, wrong mode, dead pid). */
export async function discoverFromFile(dir?: string): Promise<(AgentEndpoint & { token: string }) | null> {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') return null;
  // A separate module named through a variable, so that bundlers for the browser (the web app's Vite) neither
  // follow it nor warn about node:fs; Node and vitest resolve it relative to this module.
  const specifier = './agent-discovery.js';
  const { agentDir, readDiscovery } = (await import(/* @vite-ignore */ specifier)) as typeof Discovery;
  const found = await readDiscovery(dir ?? agentDir());
  if (!found.ok) return null;
  return { url: `http://127.0.0.1:${found.discovery.port}${AGENT_API_PREFIX}`, token: found.discovery.token };
}
