import fs from 'node:fs/promises';
import type { FolderMapping, HiveSyncClient, LocalCheck, LocalHealth } from '@hivesync/sdk';
import { isHiveSyncError, SDK_VERSION } from '@hivesync/sdk';
import { runGit } from './git.js';

/** Below this much free space a mapped folder's disk is a warning, below a tenth of it a failure. */
export const LOW_DISK_BYTES = 1024 ** 3;

/** What the health script looks at. */
export interface LocalHealthDeps {
  serverUrl: string;
  /** A direct client holding the user's session (or none). */
  client: HiveSyncClient;
  signedIn: boolean;
  mappings: FolderMapping[];
  /** Free bytes of the file system holding a path (injectable for tests). */
  freeBytes?: (p: string) => Promise<number>;
}

/**
 * Whether a server version works with this SDK: the same major version (the same minor while the major is 0), the
 * same rule npm's caret ranges use.
 */
export function versionsCompatible(server: string, client: string): boolean {
  const parse = (v: string) => /^(\d+)\.(\d+)/.exec(v)?.slice(1).map(Number);
  const s = parse(server);
  const c = parse(client);
  if (!s || !c) return false;
  return s[0] === c[0] && (s[0] !== 0 || s[1] === c[1]);
}

/**
 * The health script of the desktop app and `hivesync agent doctor`: server reachable and compatible, the server's
 * deep health as this user may see it, signed in, git present, and for each mapped folder that it exists, is
 * writable and has disk space. Each result says what was found and, when not ok, what to do.
 */
export async function runLocalHealth(deps: LocalHealthDeps): Promise<LocalHealth> {
  const checks: LocalCheck[] = [];
  const { client, serverUrl } = deps;
  let reachable = false;
  try {
    const health = await client.health.basic({ signal: AbortSignal.timeout(5000) });
    reachable = true;
    checks.push({
      name: 'server_reachable',
      status: 'ok',
      message: `${serverUrl} answers (version ${health.version}).`,
    });
    checks.push(
      versionsCompatible(health.version, SDK_VERSION)
        ? {
            name: 'version_compatible',
            status: 'ok',
            message: `Server ${health.version} works with client ${SDK_VERSION}.`,
          }
        : {
            name: 'version_compatible',
            status: 'fail',
            message: `Server ${health.version} and client ${SDK_VERSION} are not compatible.`,
            fix: 'Update HiveSync on this machine (or ask your administrator which version the server runs) so both have the same major version.',
          },
    );
  } catch (err) {
    checks.push({
      name: 'server_reachable',
      status: 'fail',
      message: `${serverUrl} does not answer: ${err instanceof Error ? err.message : String(err)}`,
      fix: `Check the network and the server address (hivesync --server URL, or HIVESYNC_SERVER); if you run the server yourself, start it (npm start).`,
    });
  }
  if (reachable) {
    if (!deps.signedIn) {
      checks.push({
        name: 'signed_in',
        status: 'fail',
        message: 'No one is signed in on this machine.',
        fix: 'Run `hivesync login`, then restart the agent.',
      });
    } else {
      try {
        const me = await client.auth.me({ signal: AbortSignal.timeout(5000) });
        checks.push({ name: 'signed_in', status: 'ok', message: `Signed in as ${me.email}.` });
      } catch (err) {
        checks.push({
          name: 'signed_in',
          status: 'fail',
          message: `The session was refused: ${err instanceof Error ? err.message : String(err)}`,
          fix: 'Sign in again with `hivesync login`, then restart the agent.',
        });
      }
    }
    try {
      const deep = await client.health.deep({ signal: AbortSignal.timeout(10_000) });
      const bad = Object.entries(deep.checks).filter(([, c]) => c.status === 'fail' || c.status === 'degraded');
      checks.push(
        deep.status === 'ok'
          ? { name: 'server_health', status: 'ok', message: 'Every part of the server is ready.' }
          : {
              name: 'server_health',
              status: deep.status === 'fail' ? 'fail' : 'warn',
              message: `The server reports ${deep.status}: ${bad.map(([n, c]) => `${n} ${c.status}${c.message ? ` (${c.message})` : ''}`).join(', ')}.`,
              fix: 'This is on the server side: tell your HiveSync administrator (they can see the details at /health/deep).',
            },
      );
    } catch (err) {
      checks.push({
        name: 'server_health',
        status: 'warn',
        message: `The server's deep health could not be read: ${isHiveSyncError(err) ? err.code : String(err)}`,
        fix: 'Try again in a minute; if it persists, tell your HiveSync administrator.',
      });
    }
  }
  try {
    const version = (await runGit(process.cwd(), ['--version'])).trim();
    checks.push({ name: 'git', status: 'ok', message: `${version} is installed.` });
  } catch {
    checks.push({
      name: 'git',
      status: 'fail',
      message: 'git was not found on the PATH.',
      fix: 'Install git (https://git-scm.com/downloads, or your package manager: apt install git, brew install git) and restart the agent.',
    });
  }
  const freeBytes = deps.freeBytes ?? statfsFree;
  for (const m of deps.mappings) checks.push(...(await folderChecks(m.folder, freeBytes)));
  const status = checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.some((c) => c.status === 'warn')
      ? 'warn'
      : 'ok';
  return { status, checks };
}

async function folderChecks(folder: string, freeBytes: (p: string) => Promise<number>): Promise<LocalCheck[]> {
  try {
    if (!(await fs.stat(folder)).isDirectory()) throw new Error('not a folder');
  } catch {
    return [
      {
        name: 'folder_exists',
        folder,
        status: 'fail',
        message: `The mapped folder ${folder} is gone.`,
        fix: 'Move it back, or remove the mapping and map the folder where it is now.',
      },
    ];
  }
  const checks: LocalCheck[] = [];
  try {
    await fs.access(folder, fs.constants.R_OK | fs.constants.W_OK);
    checks.push({ name: 'folder_writable', folder, status: 'ok', message: `${folder} can be read and written.` });
  } catch {
    checks.push({
      name: 'folder_writable',
      folder,
      status: 'fail',
      message: `${folder} cannot be written by this user, so approved patches cannot be applied there.`,
      fix: `Give yourself write access (chown -R $(whoami) "${folder}" or chmod u+rw), or map a clone you own.`,
    });
  }
  try {
    const free = await freeBytes(folder);
    const mb = Math.round(free / 1024 ** 2);
    checks.push(
      free >= LOW_DISK_BYTES
        ? { name: 'disk_space', folder, status: 'ok', message: `${mb} MB free.` }
        : {
            name: 'disk_space',
            folder,
            status: free >= LOW_DISK_BYTES / 10 ? 'warn' : 'fail',
            message: `Only ${mb} MB free on the disk of ${folder}.`,
            fix: 'Free some space (build outputs, node_modules of old projects, caches) before building previews.',
          },
    );
  } catch {
    checks.push({
      name: 'disk_space',
      folder,
      status: 'warn',
      message: 'Free space could not be read.',
      fix: 'Check the disk with df -h.',
    });
  }
  return checks;
}

async function statfsFree(p: string): Promise<number> {
  const s = await fs.statfs(p);
  return s.bavail * s.bsize;
}
