import crypto from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SyncErrorCode } from '@hivesync/core';
import { GitError, type Git, type GitRunOptions } from '../../infra/git.js';
import { isStorageFull } from '../../infra/storage.js';
import { pinnedRemoteEnv, RemoteForbidden, RemoteUnresolved, type RemoteGuard } from './remote-guard.js';

/** A project's credential, decrypted, as the sync worker hands it to git. */
export type RepoCredential =
  | { type: 'https_token'; token: string; username?: string }
  | { type: 'ssh_key'; private_key: string; known_hosts?: string };

/** A stage of a sync that is about to start. */
export type SyncStage = 'running' | 'updating_files' | 'cleaning' | 'finalizing';

/** Why a sync failed, in the terms of the API. */
export class SyncFailure extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SyncFailure';
  }
}

/**
 * A read met a damaged object (corrupt or missing) in the mirror. The mirror's generation is marked, so the next
 * sync re-clones it instead of fetching into it.
 */
export class MirrorDamaged extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MirrorDamaged';
  }
}

/** The served side of a mirror: the worktree at `commit` and the git directory holding its objects. */
export interface MirrorView {
  worktree: string;
  gitDir: string;
  commit: string;
}

/** A git tree entry as ls-tree reports it. */
export interface LsTreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  hash: string;
  size: number | undefined;
  path: string;
  /** ls-tree could not read the object's size (it printed BAD): the object is damaged. */
  damaged?: true;
}

const PROJECT_ID = /^[A-Za-z0-9-]{1,64}$/;
// g<N>-<random>: numbered for order, and unique so that a clone a killed worker left running never shares a directory.
const GENERATION = /^g(\d+)-[0-9a-f]{6}$/;
const WORKTREES = ['wt-a', 'wt-b', 'wt-c'] as const;
// Messages git prints when a repository is damaged.
const CORRUPTION =
  /corrupt|bad object|loose object|packfile|pack has|missing (blob|tree|commit|object)|unable to read|not a git repository|bad tree|broken link|index file|invalid object|fatal: bad revision|could not parse object|did not send all necessary objects/i;

// How long a superseded generation keeps answering reads that started before the switch.
const READ_GRACE_MS = 60_000;
// Written into a generation when it is superseded: its read grace runs from this file's time.
const RETIRED = 'retired-at';

// What git says when a read meets a damaged object: corrupt or missing loose objects, packs that do not inflate.
const DAMAGED_OBJECT =
  /is corrupt|inflate: |unable to unpack|unable to stream|delta data|failed to read delta base|could not read [0-9a-f]{40}|unable to read (tree )?[0-9a-f]{40}|: bad file|bad object [0-9a-f]{40}|object file .* is empty|missing (blob|tree|commit) [0-9a-f]{40}|packfile .* cannot be accessed|hash mismatch|header for [0-9a-f]{40} too long/i;
// Written into a generation when a read met a damaged object there; the next sync re-clones instead of fetching.
const DAMAGED_MARKER = 'damaged';

/**
 * The mirrors on disk, one directory per project:
 *
 *     repos/<project>/g<N>-<rand>/git        bare repository: objects and refs, the only thing fetch writes
 *     repos/<project>/g<N>-<rand>/wt-a|b|c   worktrees: one served, one just served, one spare
 *     repos/<project>/current                symlink to the served worktree, replaced atomically (rename)
 *
 * An incremental sync fetches into the bare repository, checks the spare worktree out at the new commit, cleans it
 * and flips `current`: readers never see a half-updated tree. After the sync has completed, `catchUp` brings the
 * worktree served two syncs ago (no reader left on it) to the new commit, so it is the next spare and the next
 * sync checks out only its own changes. A re-clone (no mirror, or a damaged one) builds g<N+1> beside the old
 * generation and flips `current` only once it is whole. Nothing here is modified by anything but the sync worker,
 * one sync per project at a time.
 */
export class MirrorStore {
  constructor(
    private readonly root: string,
    private readonly git: Git,
    private readonly options: {
      sshHostKeyChecking: 'yes' | 'accept-new' | 'no';
      knownHostsFile: string;
      /** Checks each remote's address before git connects (SSRF), and pins HTTP(S) to what it checked. */
      guard: RemoteGuard;
    },
  ) {}

  /** The remote-address guard of this installation. */
  get guard(): RemoteGuard {
    return this.options.guard;
  }

  private base(projectId: string): string {
    if (!PROJECT_ID.test(projectId)) throw new Error(`invalid project id for a mirror path: ${projectId}`);
    return path.join(this.root, projectId);
  }

  /**
   * The served worktree and its commit, or undefined before the first successful sync. Every read of a mirror (a
   * search, a file, the tree) asks, so the link and the 41-byte HEAD are read synchronously: microseconds, where the
   * five thread-pool round trips of an async readlink and readFile cost a search through the API a fifth of its time
   * (3.3 ms against 2.65 ms a request, back to back on vue core).
   */
  async current(projectId: string): Promise<MirrorView | undefined> {
    const base = this.base(projectId);
    let target: string;
    try {
      target = readlinkSync(path.join(base, 'current'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const worktree = path.join(base, target);
    const gitDir = path.join(path.dirname(worktree), 'git');
    let head = '';
    try {
      head = readFileSync(path.join(gitDir, 'worktrees', path.basename(worktree), 'HEAD'), 'utf8');
    } catch {
      // (no HEAD: not a worktree of a whole mirror)
    }
    const commit = head.trim();
    if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
    return { worktree, gitDir, commit };
  }

  /** Removes a project's mirror entirely (the project was deleted). */
  async remove(projectId: string): Promise<void> {
    await fs.rm(this.base(projectId), { recursive: true, force: true });
  }

  /**
   * Brings the mirror to the tip of `branch`: fetch + checkout of the idle worktree when the mirror is healthy,
   * otherwise a fresh clone into a new generation. Calls `onStage` as each stage really starts.
   */
  async sync(
    projectId: string,
    remote: {
      url: string;
      branch: string;
      /** Ask the remote for its default branch (HEAD) and sync that instead of `branch`. */
      followsDefaultBranch?: boolean;
      credential: RepoCredential | undefined;
    },
    onStage: (stage: SyncStage) => Promise<void>,
  ): Promise<{ commit: string; recloned: boolean; branch: string }> {
    const base = this.base(projectId);
    await fs.mkdir(base, { recursive: true });
    const current = await this.current(projectId);
    const currentGen = current ? path.basename(path.dirname(current.worktree)) : undefined;
    await this.removeGenerations(base, currentGen);

    // Resolved once, checked, and git pinned to those addresses: a second answer from DNS cannot send it elsewhere.
    const pin = pinnedRemoteEnv(await this.checkRemote(remote.url));
    const credential = await this.credentialEnv(remote.credential, remote.url);
    const auth = { env: { ...credential.env, ...pin }, cleanup: credential.cleanup };
    try {
      await onStage('running');
      const branch = remote.followsDefaultBranch
        ? ((await this.remoteDefaultBranch(remote.url, auth.env)) ?? remote.branch)
        : remote.branch;
      const target = { url: remote.url, branch };
      try {
        if (current && currentGen && (await this.healthy(current.gitDir, branch, remote.url))) {
          try {
            const commit = await this.update(base, currentGen, current, target, auth.env, onStage);
            return { commit, recloned: false, branch };
          } catch (err) {
            if (!(err instanceof SyncFailure) || err.code !== 'repo_corrupt') throw err;
            // Fall through to a clean clone: reads keep answering from the current generation meanwhile.
          }
        }
        const next = `g${currentGen ? Number(GENERATION.exec(currentGen)?.[1] ?? 0) + 1 : 1}-${crypto.randomBytes(3).toString('hex')}`;
        let commit: string;
        try {
          commit = await this.clone(base, next, target, auth.env, onStage);
        } catch (err) {
          // A clone that failed is never served: remove it now rather than at the next sync (on a full disk it
          // holds the space that the next attempt needs).
          await fs.rm(path.join(base, next), { recursive: true, force: true }).catch(() => undefined);
          throw err;
        }
        if (currentGen) await this.removeGenerationLater(base, currentGen);
        return { commit, recloned: true, branch };
      } catch (err) {
        if (err instanceof SyncFailure && err.code === 'repo_branch_not_found') {
          throw new SyncFailure('repo_branch_not_found', await this.missingBranchMessage(target, auth.env));
        }
        if (!(err instanceof SyncFailure) && isStorageFull(err)) {
          throw new SyncFailure('storage_full', 'The server has no disk space left for the mirror.');
        }
        throw err;
      }
    } finally {
      await auth.cleanup();
    }
  }

  /** The remote's default branch (what its HEAD points at), or undefined when it does not say. */
  private async remoteDefaultBranch(url: string, env: Record<string, string>): Promise<string | undefined> {
    const out = await this.gitOrFail(['ls-remote', '--symref', '--', url, 'HEAD'], { env, cwd: this.root });
    const head = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out.toString())?.[1];
    return head && (await this.git.isValidBranch(head)) ? head : undefined;
  }

  /** Says that `branch` is not on the remote, and which branches are (the first 20, the default first). */
  private async missingBranchMessage(remote: { url: string; branch: string }, env: Record<string, string>) {
    let names: string[] = [];
    try {
      const out = await this.git.run(['ls-remote', '--symref', '--', remote.url, 'HEAD', 'refs/heads/*'], {
        env,
        cwd: this.root,
      });
      names = [...out.toString().matchAll(/^[0-9a-f]+\trefs\/heads\/(.+)$/gm)].map((m) => m[1]!);
      const head = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out.toString())?.[1];
      if (head && names.includes(head)) names = [head, ...names.filter((n) => n !== head)];
    } catch {
      // The listing is a courtesy: the error stands without it.
    }
    const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? `, and ${names.length - 20} more` : '');
    return (
      `The branch "${remote.branch}" does not exist on the remote` +
      (names.length > 0 ? `; its branches are: ${shown}.` : '.') +
      " Set the project's branch to one of them, or clear it to follow the remote's default branch."
    );
  }

  private async update(
    base: string,
    gen: string,
    current: MirrorView,
    remote: { url: string; branch: string },
    env: Record<string, string>,
    onStage: (stage: SyncStage) => Promise<void>,
  ): Promise<string> {
    const gitDir = current.gitDir;
    const ref = `refs/heads/${remote.branch}`;
    // The URL itself, not `origin`: what git contacts is exactly what was checked and pinned.
    try {
      await this.gitOrFail(['fetch', '--prune', '--no-tags', '--quiet', '--', remote.url, `+${ref}:${ref}`], {
        gitDir,
        env,
      });
    } catch (err) {
      if (err instanceof SyncFailure && err.code === 'storage_full') {
        // A fetch that ran out of space leaves the objects it had written (no ref names them) and the temporary
        // file it was writing. Removing them gives the space back; reads never need an unreachable object, and
        // this project's syncs run one at a time, so no other fetch is writing here.
        await this.git.run(['prune', '--expire=now'], { gitDir }).catch(() => undefined);
      }
      throw err;
    }
    // fetch has verified that what it received is connected; a failure there comes back as repo_corrupt.
    const commit = await this.revParse(gitDir, ref);
    if (commit === current.commit) {
      // Nothing new: the served worktree already is that commit, untouched since it was checked out.
      await onStage('updating_files');
      await onStage('cleaning');
      await onStage('finalizing');
      return commit;
    }
    const idle = await this.spareWorktree(base, gen, path.basename(current.worktree));
    const idlePath = path.join(base, gen, idle);
    await onStage('updating_files');
    if (await exists(path.join(idlePath, '.git'))) {
      await this.gitOrFail(['reset', '--hard', '--quiet', commit], { cwd: idlePath });
    } else {
      await fs.rm(idlePath, { recursive: true, force: true });
      await this.gitOrFail(['worktree', 'prune'], { gitDir });
      await this.gitOrFail(['worktree', 'add', '--detach', '--quiet', idlePath, commit], { gitDir });
    }
    await onStage('cleaning');
    await this.gitOrFail(['clean', '-ffdxq'], { cwd: idlePath });
    await onStage('finalizing');
    await flipCurrent(base, path.join(gen, idle));
    return commit;
  }

  /** The worktree to update next: not the served one; the most recently caught-up of the others (or a new one). */
  private async spareWorktree(base: string, gen: string, served: string): Promise<string> {
    const candidates = WORKTREES.filter((w) => w !== served);
    const dated = await Promise.all(
      candidates.map(async (w) => {
        const head = path.join(base, gen, 'git', 'worktrees', w, 'HEAD');
        const stat = await fs.stat(head).catch(() => undefined);
        return { w, mtime: stat && (await exists(path.join(base, gen, w, '.git'))) ? stat.mtimeMs : -1 };
      }),
    );
    dated.sort((a, b) => b.mtime - a.mtime);
    return dated[0]!.w;
  }

  /**
   * Brings the worktree that was served two syncs ago (or a missing one) to the served commit, so it can be the
   * next sync's spare. Runs after a sync has completed; never touches the served or the just-served worktree.
   */
  async catchUp(projectId: string): Promise<void> {
    const base = this.base(projectId);
    const view = await this.current(projectId);
    if (!view) return;
    const gen = path.basename(path.dirname(view.worktree));
    const served = path.basename(view.worktree);
    const others = await Promise.all(
      WORKTREES.filter((w) => w !== served).map(async (w) => {
        const stat = await fs.stat(path.join(base, gen, 'git', 'worktrees', w, 'HEAD')).catch(() => undefined);
        return { w, mtime: stat && (await exists(path.join(base, gen, w, '.git'))) ? stat.mtimeMs : -1 };
      }),
    );
    // The oldest of the two: the just-served one may still have readers.
    others.sort((a, b) => a.mtime - b.mtime);
    const target = path.join(base, gen, others[0]!.w);
    await this.checkoutInto(view.gitDir, target, view.commit);
  }

  /** Puts `worktree` at `commit` (adding it if missing) and removes everything untracked. */
  private async checkoutInto(gitDir: string, worktree: string, commit: string): Promise<void> {
    if (await exists(path.join(worktree, '.git'))) {
      await this.gitOrFail(['reset', '--hard', '--quiet', commit], { cwd: worktree });
    } else {
      await fs.rm(worktree, { recursive: true, force: true });
      await this.gitOrFail(['worktree', 'prune'], { gitDir });
      await this.gitOrFail(['worktree', 'add', '--detach', '--quiet', worktree, commit], { gitDir });
    }
    await this.gitOrFail(['clean', '-ffdxq'], { cwd: worktree });
  }

  private async clone(
    base: string,
    gen: string,
    remote: { url: string; branch: string },
    env: Record<string, string>,
    onStage: (stage: SyncStage) => Promise<void>,
  ): Promise<string> {
    const genDir = path.join(base, gen);
    await fs.rm(genDir, { recursive: true, force: true });
    await fs.mkdir(genDir, { recursive: true });
    const gitDir = path.join(genDir, 'git');
    // The URL and branch are values of options and a positional after `--`: git never reads them as options.
    await this.gitOrFail(
      [
        'clone',
        '--bare',
        '--no-tags',
        '--single-branch',
        `--branch=${remote.branch}`,
        '--quiet',
        '--',
        remote.url,
        gitDir,
      ],
      { env, cwd: genDir },
    );
    await this.gitOrFail(['config', 'core.symlinks', 'false'], { gitDir });
    await this.gitOrFail(
      ['config', 'remote.origin.fetch', `+refs/heads/${remote.branch}:refs/heads/${remote.branch}`],
      { gitDir },
    );
    const commit = await this.revParse(gitDir, `refs/heads/${remote.branch}`);
    await onStage('updating_files');
    const worktree = path.join(genDir, WORKTREES[0]);
    await this.gitOrFail(['worktree', 'add', '--detach', '--quiet', worktree, commit], { gitDir });
    await onStage('cleaning');
    await this.gitOrFail(['clean', '-ffdxq'], { cwd: worktree });
    await onStage('finalizing');
    await flipCurrent(base, path.join(gen, WORKTREES[0]));
    return commit;
  }

  /**
   * Quick checks that a mirror can be fetched into: HEAD, objects, the branch resolves, no stale lock files, no read
   * has found a damaged object in it, and it was cloned from this URL (another repository gets a fresh clone).
   */
  private async healthy(gitDir: string, branch: string, url: string): Promise<boolean> {
    if (!(await exists(path.join(gitDir, 'HEAD'))) || !(await exists(path.join(gitDir, 'objects')))) return false;
    if (await clearStaleLocks(gitDir, this.git.timeoutMs)) return false;
    if (await exists(path.join(path.dirname(gitDir), DAMAGED_MARKER))) return false;
    try {
      const origin = await this.git.run(['config', '--get', 'remote.origin.url'], { gitDir });
      if (origin.toString().trim() !== url) return false;
      await this.revParse(gitDir, `refs/heads/${branch}`);
      return true;
    } catch {
      return false;
    }
  }

  /** The guard's verdict on a remote, in the terms of a sync. */
  private async checkRemote(url: string) {
    try {
      return await this.options.guard.check(url);
    } catch (err) {
      if (err instanceof RemoteForbidden) throw new SyncFailure('repo_url_forbidden', err.message);
      if (err instanceof RemoteUnresolved) throw new SyncFailure('repo_network_error', err.message);
      throw err;
    }
  }

  private async revParse(gitDir: string, ref: string): Promise<string> {
    const out = await this.gitOrFail(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      gitDir,
    });
    return out.toString().trim();
  }

  /** Runs git, turning its failures into SyncFailure with the API's code. */
  private async gitOrFail(args: string[], options: { gitDir?: string; cwd?: string; env?: Record<string, string> }) {
    try {
      return await this.git.run(args, options);
    } catch (err) {
      if (err instanceof GitError) {
        const redirect = /returned error: (30\d)/.exec(err.stderr)?.[1];
        if (redirect) {
          throw new SyncFailure(
            'repo_not_found',
            `The remote answered with a redirect (HTTP ${redirect}). HiveSync does not follow redirects, so that ` +
              "neither the fetch nor the credential goes to another host: set the project's repo_url to the " +
              "repository's current URL.",
          );
        }
        const code = classifyGitFailure(err);
        const line = describeGitFailure(err, [this.root, os.tmpdir()]);
        throw new SyncFailure(
          code,
          code === 'storage_full' ? `The server has no disk space left for the mirror (git: ${line}).` : line,
        );
      }
      throw err;
    }
  }

  /** Generations other than the served one are leftovers (a crashed attempt) or superseded: remove them. */
  /**
   * Removes what earlier syncs left: half-made generations (a sync that died) and superseded ones whose read grace is
   * over. A generation retired less than READ_GRACE_MS ago may still be read by a request in flight: it stays.
   */
  private async removeGenerations(base: string, keep: string | undefined): Promise<void> {
    const entries = await fs.readdir(base).catch(() => [] as string[]);
    const inGrace = async (gen: string) => {
      const retired = await fs.stat(path.join(base, gen, RETIRED)).catch(() => undefined);
      return retired !== undefined && Date.now() - retired.mtimeMs < READ_GRACE_MS;
    };
    await Promise.all(
      entries
        .filter((e) => e !== keep && (GENERATION.test(e) || e.startsWith('current.tmp-')))
        .map(async (e) => {
          if (!(await inGrace(e))) await fs.rm(path.join(base, e), { recursive: true, force: true });
        }),
    );
  }

  /** A superseded generation may still be read by a request in flight: give those a minute. */
  private async removeGenerationLater(base: string, gen: string): Promise<void> {
    await fs.writeFile(path.join(base, gen, RETIRED), new Date().toISOString()).catch(() => undefined);
    const timer = setTimeout(() => {
      void this.current(path.basename(base)).then((view) => {
        if (view && path.basename(path.dirname(view.worktree)) !== gen) {
          return fs.rm(path.join(base, gen), { recursive: true, force: true });
        }
      });
    }, READ_GRACE_MS);
    timer.unref();
  }

  /**
   * Writes the credential into a private temporary directory for git's askpass / ssh, and how to remove it. The
   * askpass answers only for the host of `url`.
   */
  private async credentialEnv(
    credential: RepoCredential | undefined,
    url: string,
  ): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
    const hostKeys = `-o StrictHostKeyChecking=${this.options.sshHostKeyChecking} -o UserKnownHostsFile=${shellQuote(this.options.knownHostsFile)}`;
    const baseSsh = `ssh -o BatchMode=yes -o IdentitiesOnly=yes ${hostKeys}`;
    if (!credential) return { env: { GIT_SSH_COMMAND: baseSsh }, cleanup: async () => undefined };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-cred-'));
    await fs.chmod(dir, 0o700);
    const cleanup = () => fs.rm(dir, { recursive: true, force: true });
    try {
      if (credential.type === 'https_token') {
        const username = credential.username ?? 'x-access-token';
        await fs.writeFile(path.join(dir, 'username'), username, { mode: 0o600 });
        await fs.writeFile(path.join(dir, 'password'), credential.token, { mode: 0o600 });
        const script = path.join(dir, 'askpass');
        await fs.writeFile(script, askpassScript(url, username, dir), { mode: 0o700 });
        return { env: { GIT_ASKPASS: script, GIT_SSH_COMMAND: baseSsh }, cleanup };
      }
      const key = path.join(dir, 'id');
      await fs.writeFile(
        key,
        credential.private_key.endsWith('\n') ? credential.private_key : `${credential.private_key}\n`,
        {
          mode: 0o600,
        },
      );
      let knownHosts = this.options.knownHostsFile;
      if (credential.known_hosts) {
        knownHosts = path.join(dir, 'known_hosts');
        await fs.writeFile(knownHosts, credential.known_hosts, { mode: 0o600 });
      }
      const ssh = `ssh -o BatchMode=yes -o IdentitiesOnly=yes -i ${shellQuote(key)} -o StrictHostKeyChecking=${this.options.sshHostKeyChecking} -o UserKnownHostsFile=${shellQuote(knownHosts)}`;
      return { env: { GIT_SSH_COMMAND: ssh }, cleanup };
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  // ---- reads (API side): always at a commit, through git, so nothing outside the repository can be named ----
  // `commit` is always a full hash (validated by the API, or read from the mirror): never option-like.

  /**
   * Runs a read of the mirror's objects. When git reports a damaged (corrupt or missing) object, marks the
   * generation so that the next sync re-clones it, and throws MirrorDamaged.
   */
  private async read(view: MirrorView, args: string[], options: Partial<GitRunOptions>): Promise<Buffer> {
    try {
      return await this.git.run(args, { gitDir: view.gitDir, ...options });
    } catch (err) {
      if (err instanceof GitError && !err.timedOut && DAMAGED_OBJECT.test(err.stderr)) {
        throw await this.damaged(view, describeGitFailure(err, [this.root]));
      }
      throw err;
    }
  }

  /** ls-tree output, parsed; an object whose size git could not read (BAD) is a damaged one. */
  private async readTree(view: MirrorView, args: string[], timeoutMs: number): Promise<LsTreeEntry[]> {
    const entries = parseLsTree(await this.read(view, args, { timeoutMs }));
    const bad = entries.find((e) => e.damaged);
    if (bad) throw await this.damaged(view, `object ${bad.hash} (${bad.path}) cannot be read`);
    return entries;
  }

  /**
   * For reads made elsewhere (the history): when `err` is git reporting a damaged object, marks the generation like
   * any read here and returns the MirrorDamaged to throw; undefined for any other failure.
   */
  async damagedBy(view: MirrorView, err: unknown): Promise<MirrorDamaged | undefined> {
    if (!(err instanceof GitError) || err.timedOut || !DAMAGED_OBJECT.test(err.stderr)) return undefined;
    return this.damaged(view, describeGitFailure(err, [this.root]));
  }

  /** Marks the generation of `view` as damaged (the next sync re-clones it) and returns the error to throw. */
  private async damaged(view: MirrorView, detail: string): Promise<MirrorDamaged> {
    await fs
      .writeFile(path.join(path.dirname(view.gitDir), DAMAGED_MARKER), `${new Date().toISOString()} ${detail}\n`)
      .catch(() => undefined);
    return new MirrorDamaged(`damaged object in the mirror: ${detail}`);
  }

  /** ls-tree of `treePath` (a directory, '' for the root) at `commit`; symlinks and submodules left out. */
  async lsTree(view: MirrorView, commit: string, treePath: string, recursive: boolean): Promise<LsTreeEntry[]> {
    const spec = treePath === '' ? [] : [`${treePath}/`];
    const entries = await this.readTree(
      view,
      ['ls-tree', '-l', '-z', ...(recursive ? ['-r', '-t'] : []), commit, '--', ...spec],
      60_000,
    );
    return entries.filter((e) => e.type !== 'commit' && e.mode !== '120000');
  }

  /** The entry at exactly `filePath` at `commit`, or undefined. */
  async entry(view: MirrorView, commit: string, filePath: string): Promise<LsTreeEntry | undefined> {
    const entries = await this.readTree(view, ['ls-tree', '-l', '-z', '--full-tree', commit, '--', filePath], 30_000);
    return entries.find((e) => e.path === filePath);
  }

  async readBlob(view: MirrorView, hash: string, maxBytes: number): Promise<Buffer> {
    return this.read(view, ['cat-file', 'blob', hash], { timeoutMs: 30_000, maxStdoutBytes: maxBytes });
  }

  /**
   * Many blobs through one `git cat-file --batch` (one process, instead of one per blob), in the order asked.
   * `maxBytes` bounds their total size; a blob that is missing marks the mirror damaged.
   */
  async readBlobs(view: MirrorView, hashes: readonly string[], maxBytes: number): Promise<Buffer[]> {
    if (hashes.length === 0) return [];
    const out = await this.read(view, ['cat-file', '--batch'], {
      timeoutMs: 120_000,
      // Each blob comes with a header line (`<hash> blob <size>`, < 100 bytes with SHA-256) and a newline.
      maxStdoutBytes: maxBytes + hashes.length * 128,
      input: Buffer.from(`${hashes.join('\n')}\n`),
    });
    const blobs: Buffer[] = [];
    let at = 0;
    for (const hash of hashes) {
      const eol = out.indexOf(10, at);
      const header = out.subarray(at, eol === -1 ? out.length : eol).toString('latin1');
      const [name, type, size] = header.split(' ');
      if (eol === -1 || name !== hash || type !== 'blob' || size === undefined) {
        throw await this.damaged(view, `object ${hash} cannot be read (${header.slice(0, 80) || 'no answer'})`);
      }
      const start = eol + 1;
      const end = start + Number(size);
      blobs.push(out.subarray(start, end));
      at = end + 1;
    }
    return blobs;
  }

  /** A file's bytes at a commit (blobs only), or undefined when there is none at that path. */
  async readAt(view: MirrorView, commit: string, filePath: string, maxBytes: number): Promise<Buffer | undefined> {
    const entry = await this.entry(view, commit, filePath);
    if (!entry || entry.type !== 'blob' || entry.mode === '120000') return undefined;
    return this.readBlob(view, entry.hash, maxBytes);
  }

  /**
   * What happened to `filePath` between two commits, with git's rename detection: unchanged, modified, renamed
   * (with its new path) or deleted.
   */
  async fileChange(
    view: MirrorView,
    from: string,
    to: string,
    filePath: string,
  ): Promise<{ kind: 'unchanged' | 'modified' | 'deleted' } | { kind: 'renamed'; path: string }> {
    if (from === to) return { kind: 'unchanged' };
    const changes = await this.changes(view, from, to);
    return changes.get(filePath) ?? { kind: 'unchanged' };
  }

  private readonly changeCache = new Map<
    string,
    Map<string, { kind: 'modified' | 'deleted' } | { kind: 'renamed'; path: string }>
  >();

  /** Every changed path between two commits (renames detected), parsed once per pair of commits. */
  private async changes(view: MirrorView, from: string, to: string) {
    const key = `${view.gitDir}:${from}:${to}`;
    const cached = this.changeCache.get(key);
    if (cached) return cached;
    const out = await this.read(view, ['diff', '--name-status', '-M', '-z', '--no-color', from, to], {
      timeoutMs: 60_000,
    });
    const parts = out.toString('utf8').split('\0');
    const map = new Map<string, { kind: 'modified' | 'deleted' } | { kind: 'renamed'; path: string }>();
    for (let i = 0; i < parts.length - 1;) {
      const status = parts[i]!;
      if (status.startsWith('R') || status.startsWith('C')) {
        if (status.startsWith('R')) map.set(parts[i + 1]!, { kind: 'renamed', path: parts[i + 2]! });
        i += 3;
      } else {
        map.set(parts[i + 1]!, { kind: status === 'D' ? 'deleted' : 'modified' });
        i += 2;
      }
    }
    if (this.changeCache.size >= 64) this.changeCache.delete(this.changeCache.keys().next().value!);
    this.changeCache.set(key, map);
    return map;
  }

  /** Whether `older` is an ancestor of (or equal to) `newer`. */
  async isAncestor(view: MirrorView, older: string, newer: string): Promise<boolean> {
    try {
      await this.git.run(['merge-base', '--is-ancestor', older, newer], { gitDir: view.gitDir, timeoutMs: 30_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** Whether `commit` exists in the mirror. */
  async hasCommit(view: MirrorView, commit: string): Promise<boolean> {
    try {
      await this.git.run(['cat-file', '-e', `${commit}^{commit}`], { gitDir: view.gitDir, timeoutMs: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** Every file (blob, not symlink or submodule) at `commit` with its size and blob hash. */
  async listFiles(view: MirrorView, commit: string): Promise<LsTreeEntry[]> {
    const entries = await this.readTree(view, ['ls-tree', '-r', '-l', '-z', '--full-tree', commit], 120_000);
    return entries.filter((e) => e.type === 'blob' && e.mode !== '120000');
  }
}

/** Parses `git ls-tree -l -z` output. */
export function parseLsTree(out: Buffer): LsTreeEntry[] {
  const entries: LsTreeEntry[] = [];
  for (const record of out.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, hash, size] = record.slice(0, tab).split(/\s+/);
    entries.push({
      mode: mode!,
      type: type as LsTreeEntry['type'],
      hash: hash!,
      size: size === '-' || size === 'BAD' || size === undefined ? undefined : Number(size),
      path: record.slice(tab + 1),
      ...(size === 'BAD' && { damaged: true as const }),
    });
  }
  return entries;
}

/** Maps git's complaint to the API's sync error code. */
export function classifyGitFailure(err: GitError): SyncErrorCode {
  const s = err.stderr;
  if (err.timedOut) return 'timeout';
  if (/No space left on device|Disk quota exceeded/i.test(s)) return 'storage_full';
  // Checking files out onto a full disk: git names the file it could not write, not why (and then "Could not reset
  // index file", which must not read as corruption: a re-clone would need more space still).
  if (/unable to write file |unable to write new index file/i.test(s)) return 'storage_full';
  if (
    /Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied \(publickey|HTTP Basic: Access denied|returned error: 40[13]|Host key verification failed|invalid credentials/i.test(
      s,
    )
  ) {
    return 'repo_auth_failed';
  }
  if (/Remote branch .* not found in upstream|couldn't find remote ref refs\/heads\//i.test(s))
    return 'repo_branch_not_found';
  if (
    /Repository not found|does not appear to be a git repository|returned error: 404|No such file or directory|does not exist/i.test(
      s,
    )
  ) {
    return 'repo_not_found';
  }
  if (
    /Could not resolve host|Connection refused|Connection timed out|Connection reset|Failed to connect|unable to access|Network is unreachable|early EOF|the remote end hung up|transfer closed|Operation timed out|Could not read from remote repository|returned error: 5\d\d/i.test(
      s,
    )
  ) {
    return 'repo_network_error';
  }
  if (CORRUPTION.test(s)) return 'repo_corrupt';
  if (/transport '.*' not allowed|unsupported URL protocol/i.test(s)) return 'repo_not_found';
  // Anything else is reported as it is: guessing "corrupt" would throw a healthy mirror away and clone it again.
  return 'repo_git_error';
}

/** One line for the sync's error message: git's own, without anything that could carry a credential. */
export function describeGitFailure(err: GitError, privatePaths: string[]): string {
  if (err.timedOut) return `git ${err.args[0]} took too long and was stopped`;
  const line =
    err.stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /^(fatal|error):/i.test(l)) ??
    err.stderr.split('\n').find((l) => l.trim()) ??
    `git ${err.args[0]} failed`;
  // URLs with userinfo must never reach a message; paths on the server neither.
  let clean = line.replace(/(\w+:\/\/)[^/@\s]*@/g, '$1');
  for (const p of privatePaths) clean = clean.replaceAll(p, '<server>');
  return clean.slice(0, 500);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Lock files a killed git leaves behind (index.lock, HEAD.lock, refs/…/x.lock, shallow.lock, worktree index locks).
 * Those older than `staleAfterMs` (no git of a sync runs that long) are removed; whether a younger one remains is
 * returned (a git that died moments ago, or one still running: the mirror is then not trusted for a fetch).
 */
export async function clearStaleLocks(gitDir: string, staleAfterMs: number): Promise<boolean> {
  const locks: string[] = [];
  const stack = [gitDir, path.join(gitDir, 'refs')];
  for (const dir of stack) {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name.endsWith('.lock')) locks.push(path.join(dir, e.name));
      else if (e.isDirectory() && dir !== gitDir && stack.length < 1000) stack.push(path.join(dir, e.name));
    }
  }
  const worktrees = await fs.readdir(path.join(gitDir, 'worktrees')).catch(() => [] as string[]);
  for (const w of worktrees) {
    const lock = path.join(gitDir, 'worktrees', w, 'index.lock');
    if (await exists(lock)) locks.push(lock);
  }
  let fresh = false;
  for (const lock of locks) {
    const stat = await fs.stat(lock).catch(() => undefined);
    if (!stat) continue;
    if (Date.now() - stat.mtimeMs > staleAfterMs) await fs.rm(lock, { force: true });
    else fresh = true;
  }
  return fresh;
}

/** Points `base/current` at `target` atomically: a new symlink renamed over the old one. */
async function flipCurrent(base: string, target: string): Promise<void> {
  const tmp = path.join(base, `current.tmp-${crypto.randomBytes(4).toString('hex')}`);
  await fs.symlink(target, tmp);
  await fs.rename(tmp, path.join(base, 'current'));
}

/**
 * The askpass program of an HTTPS token. git asks "Username for 'https://host'" and then "Password for
 * 'https://user@host'"; the program answers those two for the host of `url` only, and nothing for any other host
 * (a redirect, a second remote), so the token cannot be sent anywhere else.
 */
export function askpassScript(url: string, username: string, dir: string): string {
  const origin = /^(https?:\/\/)([^/?#]+)/i.exec(url);
  if (!origin) return '#!/bin/sh\nexit 1\n';
  const [, scheme, authority] = origin;
  return [
    '#!/bin/sh',
    'case "$1" in',
    `  ${shellQuote(`Username for '${scheme}${authority}': `)}) exec cat ${shellQuote(path.join(dir, 'username'))} ;;`,
    `  ${shellQuote(`Password for '${scheme}${username}@${authority}': `)}) exec cat ${shellQuote(path.join(dir, 'password'))} ;;`,
    'esac',
    'exit 1',
    '',
  ].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
