import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AGENT_API_PREFIX,
  discoverFromFile,
  type AgentDiscovery,
  type HiveSyncClient,
  type HiveSyncTokens,
} from '@hivesync/sdk';
import type { FastifyInstance } from 'fastify';
import { buildAgentApp, launchUrl } from './app.js';
import { EventsHub, type EventsHubOptions } from './events-hub.js';
import { MappingStore } from './mappings.js';
import { PollCache } from './poll-cache.js';
import { Forwarder } from './proxy.js';
import { openSecretStore, writePrivateFile, type KeyringFactory, type SecretStore } from './secret-store.js';
import { Session } from './session.js';
import { UiAccess } from './ui-access.js';
import { AGENT_VERSION } from './version.js';

/** The discovery file's name in the agent directory. */
export const DISCOVERY_FILE = 'agent.json';
/** The mappings file's name in the agent directory. */
export const MAPPINGS_FILE = 'mappings.json';
/** The folder of the records of applied suggestions (one 0600 file each) in the agent directory. */
export const APPLIED_DIR = 'applied';

/**
 * The agent directory: HIVESYNC_AGENT_DIR of `env` (the caller's environment, e.g. the CLI's) when it is an absolute
 * path, else `~/.hivesync`.
 */
export function agentDir(env: Record<string, string | undefined> = {}, home = os.homedir()): string {
  const fromEnv = env.HIVESYNC_AGENT_DIR;
  return fromEnv && path.isAbsolute(fromEnv) ? fromEnv : path.join(home, '.hivesync');
}

/** How to start an agent. */
export interface StartAgentOptions {
  /** The HiveSync server to forward to. */
  serverUrl: string;
  /** The directory of the discovery, mappings and (fallback) session files; default agentDir(). */
  dir?: string;
  /** 0 (the default) lets the system pick a free port; it is written to the discovery file. */
  port?: number;
  /** The session to start from (the CLI's login); else the one kept in the secret store. */
  tokens?: HiveSyncTokens;
  /** Told of every token change (the CLI writes them back to its credentials file). */
  onTokens?: (tokens: HiveSyncTokens) => void | Promise<void>;
  /** Wraps each refresh (the CLI's lock file, shared with other hivesync processes). */
  refreshLock?: (refresh: () => Promise<void>, client: HiveSyncClient) => Promise<void>;
  /** The keychain to use instead of @napi-rs/keyring (tests). */
  keyring?: KeyringFactory;
  /** The secret store to use instead of opening one (tests). */
  secretStore?: SecretStore;
  events?: EventsHubOptions;
  /** Put in front of the agent's User-Agent. */
  userAgent?: string;
  /**
   * The built desktop renderer (a folder with index.html), served at /hivesync-desktop-api/app/ to pages opened
   * through `launchUrl()`. Without it the agent serves no UI.
   */
  uiDir?: string;
}

/** A running agent. */
export interface RunningAgent {
  /** Such as http://127.0.0.1:41234/hivesync-desktop-api. */
  url: string;
  port: number;
  discoveryFile: string;
  discovery: AgentDiscovery;
  secrets: SecretStore;
  session: Session;
  app: FastifyInstance;
  /** Resolves once the agent stopped (stop(), or POST /shutdown). */
  stopped: Promise<void>;
  /**
   * A one-time URL that opens the desktop renderer (`…/app/?launch=<token>`, valid for a minute): opening it leaves
   * the page with the agent's HttpOnly cookie instead of the token. For the desktop's main process.
   */
  launchUrl(): string;
  /** Stops listening, ends the event streams and removes the discovery file. */
  stop(): Promise<void>;
}

/**
 * Starts the local agent on 127.0.0.1: opens the secret store (keychain, else a 0600 file) and the session, listens,
 * then writes the discovery file (0600, atomically) that clients find it by. Refuses to start while another agent
 * answers from the same directory.
 */
export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  const serverUrl = options.serverUrl.replace(/\/+$/, '');
  const dir = options.dir ?? agentDir();
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const discoveryFile = path.join(dir, DISCOVERY_FILE);
  const running = await discoverFromFile(dir);
  if (running && (await answers(running.url, running.token))) {
    throw new Error(
      `another HiveSync agent is already running (see ${discoveryFile}); stop it with \`hivesync agent stop\``,
    );
  }

  const secrets = options.secretStore ?? (await openSecretStore(dir, options.keyring));
  const session = await Session.open({
    serverUrl,
    tokens: options.tokens,
    secrets,
    onTokens: options.onTokens,
    refreshLock: options.refreshLock,
    userAgent: `${options.userAgent ? `${options.userAgent} ` : ''}hivesync-agent/${AGENT_VERSION}`,
  });
  await session.identify();

  const token = crypto.randomBytes(32).toString('base64url');
  const forwarder = new Forwarder(serverUrl, session, AGENT_VERSION);
  const cache = new PollCache(forwarder);
  const hub = new EventsHub(session, () => cache.invalidate(), options.events);
  const mappings = new MappingStore(path.join(dir, MAPPINGS_FILE));
  const startedAt = new Date().toISOString();
  const ui = new UiAccess();
  const uiDir = options.uiDir === undefined ? undefined : path.resolve(options.uiDir);
  let port = 0;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await removeIfOurs(discoveryFile, token);
      hub.close();
      await app.close();
      forwarder.close();
      resolveStopped();
    })();
    return stopping;
  };
  const app = buildAgentApp({
    serverUrl,
    token,
    port: () => port,
    session,
    forwarder,
    hub,
    cache,
    mappings,
    secrets,
    startedAt,
    shutdown: () => void stop(),
    ui,
    uiDir,
    // The discovery file names the user: rewritten when the desktop UI signs the agent in or out.
    onSessionChange: () => writeDiscovery(),
    recordsDir: path.join(dir, APPLIED_DIR),
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;

  const discovery: AgentDiscovery = {
    format: 1,
    version: AGENT_VERSION,
    host: '127.0.0.1',
    port,
    pid: process.pid,
    token,
    server_url: serverUrl,
    user_id: session.userId,
    started_at: startedAt,
  };
  async function writeDiscovery(): Promise<void> {
    discovery.user_id = session.userId;
    if (stopping) return;
    await writePrivateFile(discoveryFile, `${JSON.stringify(discovery, null, 2)}\n`);
  }
  await writeDiscovery();
  return {
    url: `http://127.0.0.1:${port}${AGENT_API_PREFIX}`,
    port,
    discoveryFile,
    discovery,
    secrets,
    session,
    app,
    stopped,
    launchUrl: () => launchUrl(port, ui.newLaunchToken()),
    stop,
  };
}

// Another agent's file is left alone: only the agent that wrote it removes it.
async function removeIfOurs(file: string, token: string): Promise<void> {
  try {
    const current = JSON.parse(await fs.readFile(file, 'utf8')) as { token?: string };
    if (current.token === token) await fs.rm(file, { force: true });
  } catch {
    // already gone
  }
}

async function answers(url: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(1000),
    });
    await res.body?.cancel().catch(() => undefined);
    return res.status === 200;
  } catch {
    return false;
  }
}
