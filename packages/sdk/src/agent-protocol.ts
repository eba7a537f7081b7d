/**
 * The localhost protocol between the local agent (packages/agent, `hivesync agent`, the desktop app) and the
 * clients that route through it (IDE plugins, the CLI): the discovery file the agent writes, and the bodies of the
 * agent's own routes. Everything else under the prefix mirrors the server (`/api/v1/*`, `/server/health*`).
 * Written once here so that the agent (which depends on the SDK) and the SDK's auto mode cannot drift apart.
 */

/** Every route of the agent lives under this path on 127.0.0.1. */
export const AGENT_API_PREFIX = '/hivesync-desktop-api';

/** The agent answers every request with this header (its version), refusals included. */
export const AGENT_HEADER = 'x-hivesync-agent';

/**
 * Set on a 403 the agent itself gave (bad token, foreign Host, a browser Origin), with the reason: the request never
 * reached the server, so a client may read the discovery file again and retry.
 */
export const AGENT_REFUSED_HEADER = 'x-hivesync-agent-refused';

/** What made the agent refuse a request before forwarding it. */
export type AgentRefusal = 'token' | 'host' | 'origin' | 'session_call';

/** The discovery file `~/.hivesync/agent.json` (mode 0600, in a 0700 directory): how a client finds the agent. */
export interface AgentDiscovery {
  /** The file's format. */
  format: 1;
  /** The agent's version. */
  version: string;
  /** Always 127.0.0.1. */
  host: '127.0.0.1';
  port: number;
  pid: number;
  /** The bearer token every request to the agent must carry; random per start. */
  token: string;
  /** The HiveSync server the agent forwards to (without a trailing slash). */
  server_url: string;
  /** The signed-in user's id, or null when the agent holds no session. */
  user_id: string | null;
  /** ISO 8601. */
  started_at: string;
}

/** GET /hivesync-desktop-api/health: the agent's own health, answered without calling the server. */
export interface AgentHealth {
  status: 'ok';
  /** Always true: tells the agent's answer apart from anything else listening on the port. */
  agent: true;
  version: string;
  server_url: string;
  signed_in: boolean;
  user_id: string | null;
  /** Where the agent keeps the refresh token: the OS keychain, or a 0600 file when no keychain answered. */
  secret_store: 'keychain' | 'file';
  pid: number;
  started_at: string;
  /** Plugins connected to the agent's event stream now, and whether the one upstream stream is open. */
  event_subscribers: number;
  upstream_stream: boolean;
}

/** One result of the health script (GET /hivesync-desktop-api/health/local, `hivesync agent doctor`). */
export interface LocalCheck {
  /** A stable name, such as `server_reachable` or `folder_writable`. */
  name: string;
  status: 'ok' | 'warn' | 'fail';
  /** What was found, in words. */
  message: string;
  /** What to do about it, in words; absent when the check passed. */
  fix?: string;
  /** The mapped folder the check is about, for per-folder checks. */
  folder?: string;
}

/** The health script's answer: `fail` when any check failed, `warn` when one warned, else `ok`. */
export interface LocalHealth {
  status: 'ok' | 'warn' | 'fail';
  checks: LocalCheck[];
}

/** A local folder linked to a project (`~/.hivesync/mappings.json`), shared by every plugin through the agent. */
export interface FolderMapping {
  /** The folder's absolute, real path. */
  folder: string;
  project_id: string;
  server_url: string;
  /** The project's repository URL when it was mapped, or null. */
  repo_url: string | null;
  /** The folder's git remote URL (origin, else the first) when it was mapped, or null. */
  remote_url: string | null;
  /** Whether the remote check was skipped (`force`). */
  forced: boolean;
  created_at: string;
}

/** PUT /hivesync-desktop-api/mappings. */
export interface PutMappingBody {
  folder: string;
  project_id: string;
  /** Map even when the folder's remote does not match the project's repository. */
  force?: boolean;
}

/** A file of a folder, as GET /hivesync-desktop-api/local/files lists it. */
export interface LocalFile {
  /** Relative to the folder, with `/` separators, Unicode NFC. */
  path: string;
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
}

/** GET /hivesync-desktop-api/local/git: the branch and working-tree state of a folder. */
export interface LocalGitState {
  folder: string;
  /** The current branch, or null on a detached HEAD. */
  branch: string | null;
  /** The HEAD commit, or null in a repository without commits. */
  head: string | null;
  upstream: string | null;
  ahead: number;
  behind: number;
  /** Changed, staged or untracked files, relative with `/`; `status` is git's two-letter porcelain code. */
  dirty: { path: string; status: string }[];
}
