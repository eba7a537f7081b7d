/**
 * Node-only: finding the local agent through its discovery file. Loaded by auto mode with a dynamic import, so the
 * browser bundle of the SDK never evaluates it (the web app never uses auto mode).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentDiscovery } from './agent-protocol.js';

/** The discovery file's name inside the agent directory. */
export const DISCOVERY_FILE = 'agent.json';

/**
 * The agent directory: `$HIVESYNC_AGENT_DIR` when set (tests, several installations side by side), else
 * `~/.hivesync`.
 */
export function agentDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const fromEnv = env.HIVESYNC_AGENT_DIR;
  return fromEnv && path.isAbsolute(fromEnv) ? fromEnv : path.join(home, '.hivesync');
}

/** Why a discovery file was not used, or the discovery it holds. */
export type DiscoveryResult = { ok: true; discovery: AgentDiscovery } | { ok: false; reason: string };

/**
 * Reads and checks the discovery file: a regular file (not a symlink) owned by this user with mode 0600, holding a
 * well-formed discovery, whose pid is alive. Anything else is ignored with a reason (another user could have written
 * a readable file, or the agent died without cleaning up).
 */
export async function readDiscovery(dir: string = agentDir()): Promise<DiscoveryResult> {
  const file = path.join(dir, DISCOVERY_FILE);
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch {
    return { ok: false, reason: `no discovery file at ${file}` };
  }
  if (!stat.isFile()) return { ok: false, reason: `${file} is not a regular file` };
  if ((stat.mode & 0o777) !== 0o600) {
    return { ok: false, reason: `${file} has mode ${(stat.mode & 0o777).toString(8)}, not 600` };
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined && stat.uid !== uid) return { ok: false, reason: `${file} belongs to another user` };
  let discovery: AgentDiscovery;
  try {
    discovery = JSON.parse(await fs.readFile(file, 'utf8')) as AgentDiscovery;
  } catch {
    return { ok: false, reason: `${file} is not JSON` };
  }
  if (
    discovery?.format !== 1 ||
    discovery.host !== '127.0.0.1' ||
    !Number.isInteger(discovery.port) ||
    discovery.port <= 0 ||
    discovery.port > 65535 ||
    !Number.isInteger(discovery.pid) ||
    typeof discovery.token !== 'string' ||
    discovery.token.length < 32 ||
    typeof discovery.server_url !== 'string'
  ) {
    return { ok: false, reason: `${file} is not a discovery file` };
  }
  if (!pidAlive(discovery.pid)) return { ok: false, reason: `the agent (pid ${discovery.pid}) is not running` };
  return { ok: true, discovery };
}

/** Whether a process with this pid runs as this user (EPERM: someone else's process reused the pid). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
