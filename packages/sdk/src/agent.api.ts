import {
  AGENT_API_PREFIX,
  type AgentHealth,
  type AgentLaunch,
  type AgentPreviewBody,
  type AgentPreviewResult,
  type AgentSessionState,
  type AgentSignInBody,
  type ApplySuggestionBody,
  type ApplySuggestionResult,
  type FolderMapping,
  type LocalFile,
  type LocalGitState,
  type LocalHealth,
  type PutMappingBody,
  type RevertSuggestionResult,
} from './agent-protocol.js';
import { discoverFromFile } from './auto-mode.js';
import { HiveSyncClient } from './client.js';
import { errorFromResponse, HiveSyncError } from './errors.js';
import type { HiveSyncClientOptions, RequestOptions } from './transport.js';

/** How to reach the local agent's own routes. */
export interface AgentApiOptions {
  /**
   * The agent's URL with its prefix, such as http://127.0.0.1:41234/hivesync-desktop-api. In a page the agent serves
   * (the desktop renderer) it defaults to that page's origin and the prefix.
   */
  url?: string;
  /**
   * The agent's bearer token (Node: from the discovery file, see `AgentApi.discover`). Leave it out in a page the agent
   * serves: the HttpOnly cookie the launch URL set authenticates it, and the page never sees a token.
   */
  token?: string | null;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * The local agent's own routes (docs/desktop.md, "The Local API"): health, the health script, folder mappings, local
 * files and git state, the desktop renderer's sign-in, applying and reverting AI suggestions, and previews. Works
 * from Node with the discovery file's bearer token, and from the desktop renderer (a page served by the agent) with
 * its cookie. For the server's API through the agent, use `serverClient()`. Errors are HiveSyncErrors with the
 * envelope's code, as from the server.
 */
export class AgentApi {
  /** The agent's URL with its prefix, without a trailing slash. */
  readonly url: string;
  private readonly token: string | null;
  private readonly fetchImpl: typeof fetch;

  constructor(options: AgentApiOptions = {}) {
    const url = options.url ?? pageAgentUrl();
    if (url === undefined) {
      throw new TypeError('AgentApi needs the agent URL outside a page the agent serves (or use AgentApi.discover)');
    }
    this.url = url.replace(/\/+$/, '');
    this.token = options.token ?? null;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * Node: the agent named by the discovery file (`dir`, default `$HIVESYNC_AGENT_DIR` or `~/.hivesync`), with its
   * token; null when there is none, or the file is not to be trusted (see docs/desktop.md, "Discovery file").
   */
  static async discover(options: { dir?: string; fetch?: typeof fetch } = {}): Promise<AgentApi | null> {
    const endpoint = await discoverFromFile(options.dir);
    return endpoint ? new AgentApi({ url: endpoint.url, token: endpoint.token, fetch: options.fetch }) : null;
  }

  /**
   * A HiveSyncClient whose every call goes through this agent (`mode: 'agent'`): the agent adds the user's token, so
   * the client holds none. Its base URL is the server the agent serves (from the agent's health).
   */
  async serverClient(options: Partial<Omit<HiveSyncClientOptions, 'mode'>> = {}): Promise<HiveSyncClient> {
    const health = await this.health();
    const endpoint = { url: this.url, token: this.token };
    return new HiveSyncClient({
      fetch: this.fetchImpl,
      ...options,
      baseUrl: health.server_url,
      mode: 'agent',
      // The agent is known to be there: its health may take longer than a guess's 500 ms on a busy machine.
      agent: { probeTimeoutMs: 5000, ...options.agent, discover: async () => endpoint },
    });
  }

  /** GET /health: the agent's version, server, session and event streams; answered without calling the server. */
  health(opts?: RequestOptions): Promise<AgentHealth> {
    return this.call<AgentHealth>('GET', '/health', undefined, opts);
  }

  /** GET /health/local: the health script, each check with a fix in words. */
  localHealth(opts?: RequestOptions): Promise<LocalHealth> {
    return this.call<LocalHealth>('GET', '/health/local', undefined, opts);
  }

  /** GET /mappings: every folder ↔ project mapping. */
  async listMappings(opts?: RequestOptions): Promise<FolderMapping[]> {
    return (await this.call<{ mappings: FolderMapping[] }>('GET', '/mappings', undefined, opts)).mappings;
  }

  /** GET /mappings?folder=: the mapping of `folder` or its nearest mapped parent; null when there is none. */
  async findMapping(folder: string, opts?: RequestOptions): Promise<FolderMapping | null> {
    try {
      return await this.call<FolderMapping>('GET', `/mappings?folder=${encodeURIComponent(folder)}`, undefined, opts);
    } catch (err) {
      if (err instanceof HiveSyncError && err.code === 'not_found') return null;
      throw err;
    }
  }

  /**
   * PUT /mappings: maps a folder (a git clone of the project's repository, unless `force`) to a project. 400
   * `validation_error` (`details.reason: not_a_git_repository`), 404 for a project the user cannot see, 409
   * `conflict` (`details.reason: remote_mismatch`).
   */
  putMapping(body: PutMappingBody, opts?: RequestOptions): Promise<FolderMapping> {
    return this.call<FolderMapping>('PUT', '/mappings', body, opts);
  }

  /** DELETE /mappings?folder=: removes the mapping of exactly this folder (404 `not_found` when none). */
  async deleteMapping(folder: string, opts?: RequestOptions): Promise<void> {
    await this.call<undefined>('DELETE', `/mappings?folder=${encodeURIComponent(folder)}`, undefined, opts);
  }

  /** POST /local/files: the folder's files (those git would send, in a repository) with size and SHA-256. */
  async localFiles(folder: string, paths?: string[], opts?: RequestOptions): Promise<LocalFile[]> {
    return (await this.call<{ files: LocalFile[] }>('POST', '/local/files', { folder, paths }, opts)).files;
  }

  /** GET /local/git?folder=: branch, HEAD, upstream, ahead/behind and dirty files. */
  localGit(folder: string, opts?: RequestOptions): Promise<LocalGitState> {
    return this.call<LocalGitState>('GET', `/local/git?folder=${encodeURIComponent(folder)}`, undefined, opts);
  }

  /**
   * POST /launch (bearer token only, e.g. the desktop's main process): a one-time URL that opens the desktop
   * renderer and leaves it holding the agent's cookie.
   */
  launch(opts?: RequestOptions): Promise<AgentLaunch> {
    return this.call<AgentLaunch>('POST', '/launch', undefined, opts);
  }

  /**
   * POST /session: signs the agent in with the user's email and password (the desktop renderer only; with the bearer
   * token it is refused like a plugin's session call). 401 `unauthorized` for wrong credentials.
   */
  signIn(body: AgentSignInBody, opts?: RequestOptions): Promise<AgentSessionState> {
    return this.call<AgentSessionState>('POST', '/session', body, opts);
  }

  /** DELETE /session: signs the agent out (the server revokes the session); the desktop renderer only. */
  signOut(opts?: RequestOptions): Promise<AgentSessionState> {
    return this.call<AgentSessionState>('DELETE', '/session', undefined, opts);
  }

  /**
   * POST /suggestions/{id}/apply: applies an AI suggestion's patch to a folder's working tree (three-way when the file
   * moved on), all or nothing, then marks it applied. 409 `conflict` with `details` an `ApplyConflictDetails` when it
   * does not apply (no file is touched).
   */
  applySuggestion(id: string, body: ApplySuggestionBody = {}, opts?: RequestOptions): Promise<ApplySuggestionResult> {
    return this.call<ApplySuggestionResult>('POST', `/suggestions/${encodeURIComponent(id)}/apply`, body, opts);
  }

  /**
   * POST /suggestions/{id}/revert: undoes what the agent applied; 409 `conflict` (`changed_since_apply`) when the
   * files changed since.
   */
  revertSuggestion(id: string, body: ApplySuggestionBody = {}, opts?: RequestOptions): Promise<RevertSuggestionResult> {
    return this.call<RevertSuggestionResult>('POST', `/suggestions/${encodeURIComponent(id)}/revert`, body, opts);
  }

  /**
   * POST /previews: builds the folder's app with the bundler, uploads it and returns the preview's code and deep link;
   * progress goes to the agent's event stream (`agent_preview_progress`). 422 with the failing file and line when
   * the build fails.
   */
  createPreview(body: AgentPreviewBody, opts?: RequestOptions): Promise<AgentPreviewResult> {
    return this.call<AgentPreviewResult>('POST', '/previews', body, opts);
  }

  /** POST /shutdown: stops the agent (what `hivesync agent stop` sends). */
  async shutdown(opts?: RequestOptions): Promise<void> {
    await this.call<unknown>('POST', '/shutdown', undefined, opts);
  }

  private async call<T>(method: Method, path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    if (opts.requestId !== undefined) headers['x-request-id'] = opts.requestId;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // In the desktop renderer the cookie goes along (same origin); Node's fetch has no cookie jar.
        credentials: 'same-origin',
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      throw new HiveSyncError({
        code: 'network_error',
        message: `Cannot reach the HiveSync agent at ${this.url}: ${err instanceof Error ? err.message : String(err)}.`,
        status: 0,
        retryable: true,
        details: { url: this.url, cause: 'agent_not_running' },
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(res.status, res.headers, text);
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }
}

// In a page the agent serves, its URL is that page's origin and the prefix.
function pageAgentUrl(): string | undefined {
  const loc = (globalThis as { location?: { origin?: string; pathname?: string } }).location;
  if (typeof loc?.origin !== 'string' || !loc.pathname?.startsWith(AGENT_API_PREFIX)) return undefined;
  return `${loc.origin}${AGENT_API_PREFIX}`;
}
