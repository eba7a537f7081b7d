import path from 'node:path';
import { errors } from '@hivesync/core';
import type { Git } from '../../infra/git.js';
import { RemoteForbidden, RemoteUnresolved, remoteEndpoint, type RemoteGuard } from './remote-guard.js';
import { hasControlCharacters } from './repo-path.js';

/** What kinds of repository URL this installation accepts. */
export interface RepoUrlPolicy {
  allowLocal: boolean;
  allowHttp: boolean;
}

const LOCAL_HOW =
  'An operator can allow them by starting the server with HIVESYNC_ALLOW_LOCAL_REPOS=true (every user of the ' +
  'server can then read any repository on its disk); an embedded server listening on 127.0.0.1 allows them by ' +
  'default.';

// user@host:path, git's scp-like syntax (no scheme, a colon before the first slash).
const SCP_LIKE = /^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;
// <transport>::<address> makes git run a remote helper (ext:: runs a command): never accepted.
const REMOTE_HELPER = /^[A-Za-z][A-Za-z0-9+.-]*::/;

/**
 * Checks a repository URL before it is stored: https://, ssh://, scp-style and git:// are accepted; http:// and
 * local paths or file:// only when the installation allows them; remote-helper syntax (ext::, fd::), option-like
 * values, control characters and passwords inside the URL never. Throws validation_error with the reason.
 */
export function checkRepoUrl(url: string, policy: RepoUrlPolicy): string {
  const bad = (reason: string) => errors.validation(`repo_url: ${reason}`, { field: 'repo_url' });
  if (hasControlCharacters(url)) throw bad('must not contain control characters');
  if (url.startsWith('-')) throw bad('must not start with "-"');
  if (/\s/.test(url)) throw bad('must not contain spaces');
  if (REMOTE_HELPER.test(url)) throw bad('remote-helper URLs (such as ext:: or fd::) are not accepted');
  if (SCP_LIKE.test(url)) {
    if (/@-/.test(url)) throw bad('the host must not start with "-"');
    return url;
  }

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (path.isAbsolute(url)) {
      if (!policy.allowLocal) throw bad(`local paths are not accepted on this server. ${LOCAL_HOW}`);
      return url;
    }
    throw bad('must be an https://, ssh://, git:// or user@host:path URL');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('is not a valid URL');
  }
  switch (scheme) {
    case 'https':
    case 'ssh':
    case 'git':
      break;
    case 'http':
      if (!policy.allowHttp)
        throw bad('plain http:// is not accepted on this server; use https:// (HIVESYNC_ALLOW_HTTP_REPOS)');
      break;
    case 'file':
      if (!policy.allowLocal) throw bad(`file:// URLs are not accepted on this server. ${LOCAL_HOW}`);
      return url;
    default:
      throw bad(`the ${scheme}:// scheme is not accepted; use https://, ssh:// or git://`);
  }
  if (!parsed.hostname) throw bad('must name a host');
  if (parsed.hostname.startsWith('-')) throw bad('the host must not start with "-"');
  // Over HTTP(S) anything before the @ is a secret (tokens are often sent as the user name); over SSH it is the login.
  if (parsed.password || (parsed.username && (scheme === 'https' || scheme === 'http'))) {
    throw errors.repoUrlForbidden(
      'repo_url must not carry a user name, password or token: store them as the project credential instead ' +
        '(PUT /api/v1/projects/{id}/credential, or `hivesync credential set <project> --token-stdin`), where they ' +
        'are encrypted and never shown.',
    );
  }
  return url;
}

/**
 * checkRepoUrl, then the network check: a remote whose host is or resolves to a loopback, private, link-local or
 * other internal address is refused with repo_url_forbidden (unless the installation allows it). A name that does
 * not resolve yet is accepted: every sync checks it again before git connects.
 */
export async function checkRepoUrlAndHost(url: string, policy: RepoUrlPolicy, guard: RemoteGuard): Promise<string> {
  checkRepoUrl(url, policy);
  try {
    await guard.check(url);
  } catch (err) {
    if (err instanceof RemoteForbidden) throw errors.repoUrlForbidden(err.message);
    if (!(err instanceof RemoteUnresolved)) throw err;
  }
  return url;
}

/**
 * Where a repository URL sends a credential: scheme, host and port (`https://github.com:443`; scp-like
 * `git@host:path` is `ssh://host:22`; a local path is `file://`). Two URLs with the same origin reach the same server.
 */
export function repoUrlOrigin(url: string): string {
  const endpoint = remoteEndpoint(url);
  return endpoint ? `${endpoint.scheme}://${endpoint.host}:${endpoint.port}` : 'file://';
}

/** Checks a branch name with git's own rules (`git check-ref-format --branch`). Throws validation_error. */
export async function checkBranch(git: Git, branch: string): Promise<string> {
  const bad = (reason: string) => errors.validation(`branch: ${reason}`, { field: 'branch' });
  if (branch.startsWith('-')) throw bad('must not start with "-"');
  if (hasControlCharacters(branch)) throw bad('must not contain control characters');
  // `@{-1}` and friends pass check-ref-format --branch by expanding to another branch: refuse them outright.
  if (branch.includes('@{')) throw bad(`"${branch}" is not a valid branch name`);
  if (!(await git.isValidBranch(branch))) throw bad(`"${branch}" is not a valid branch name`);
  return branch;
}
