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
export type AgentRefusal = 'token' | 'host' | 'origin' | 'session_call' | 'launch';

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

/** Where the agent serves the desktop renderer (its `uiDir`), under the prefix. */
export const AGENT_APP_PATH = '/app/';

/**
 * The cookie a page of the desktop renderer carries instead of the bearer token: HttpOnly, SameSite=Strict, scoped
 * to the prefix on 127.0.0.1. Got by opening a one-time launch URL (`?launch=`).
 */
export const AGENT_COOKIE = 'hivesync_agent';

/** POST /hivesync-desktop-api/launch (bearer token only): a one-time URL that opens the desktop renderer. */
export interface AgentLaunch {
  /** `http://127.0.0.1:<port>/hivesync-desktop-api/app/?launch=<one-time token>`; open it within `expires_in` s. */
  url: string;
  /** Seconds the launch token stays valid. */
  expires_in: number;
}

/** POST /hivesync-desktop-api/session (the desktop renderer only): signs the agent in. */
export interface AgentSignInBody {
  email: string;
  password: string;
}

/** The agent's session after POST or DELETE /hivesync-desktop-api/session. */
export interface AgentSessionState {
  signed_in: boolean;
  user_id: string | null;
  /** The signed-in user's email, when known. */
  email: string | null;
}

/** POST /hivesync-desktop-api/suggestions/{id}/apply and …/revert. */
export interface ApplySuggestionBody {
  /** The folder (absolute) to apply to; default: the mapped folder of the suggestion's project. */
  folder?: string;
}

/** A file an apply or a revert changed. */
export interface AppliedFile {
  /** Relative to the repository root, `/`-separated. */
  path: string;
  /** What happened to the file in the working tree. */
  change: 'modified' | 'added' | 'deleted';
}

/** The answer of a successful apply. */
export interface ApplySuggestionResult {
  suggestion_id: string;
  project_id: string;
  /** The repository root the patch was applied to. */
  folder: string;
  files: AppliedFile[];
  /** Whether the working tree had moved on since the job's commit, so the patch was merged three-way. */
  three_way: boolean;
  /** The suggestion as the server holds it now (status `applied`). */
  suggestion_status: string;
  applied_at: string;
}

/** The answer of a successful revert. */
export interface RevertSuggestionResult {
  suggestion_id: string;
  project_id: string;
  folder: string;
  files: AppliedFile[];
  /** The suggestion's status on the server after the revert. */
  suggestion_status: string;
  reverted_at: string;
}

/** One file of a patch that does not apply (the 409's `details.files`), for a conflict view. */
export interface ApplyConflictFile {
  path: string;
  /** Why: the hunks clash with local changes, the file is missing, or it changed since the apply (a revert). */
  reason: 'conflict' | 'missing' | 'changed';
  /** The hunks that do not apply, each with its `@@` header and its lines as in the patch. */
  hunks: { header: string; lines: string[]; message: string }[];
  /** The file in the working tree now (null when absent or binary). */
  ours: string | null;
  /** What the suggestion wants the file to be, where it can be computed (the patch on the job's original), else null. */
  theirs: string | null;
}

/** `details` of the 409 `conflict` an apply or a revert answers when the files stay untouched. */
export interface ApplyConflictDetails {
  reason: 'patch_conflict' | 'changed_since_apply';
  folder: string;
  files: ApplyConflictFile[];
}

/** POST /hivesync-desktop-api/previews. */
export interface AgentPreviewBody {
  /** The app's folder (absolute). */
  folder: string;
  platform: 'ios' | 'android' | 'web';
  /** The project; default: the mapping of the folder. */
  project_id?: string;
}

/** The agent's answer to POST /previews: the preview with its code and the deep link a QR code encodes. */
export interface AgentPreviewResult {
  preview_id: string;
  project_id: string;
  code: string;
  /** The URL a QR code encodes (it opens the mobile app on this preview). */
  deep_link: string;
  expires_at: string;
  platform: string;
  bundle: { sha256: string; size: number; uploaded: boolean };
}

/** The local event the agent sends to connected plugins while it builds and sends a preview. */
export const PREVIEW_PROGRESS_EVENT = 'agent_preview_progress';

/** `event: agent_preview_progress` on the agent's event stream (never from the server). */
export interface AgentPreviewProgress {
  /** The request that started it (X-Request-Id), to match progress with a click. */
  request_id: string;
  folder: string;
  stage: 'building' | 'uploading' | 'completing' | 'ready' | 'failed';
  /** Set when `stage` is `ready`. */
  preview_id?: string;
  /** Set when `stage` is `failed`. */
  message?: string;
}
