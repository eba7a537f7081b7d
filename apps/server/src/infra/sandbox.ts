import crypto from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from './logger.js';
import { Spawner, type SpawnResult } from './spawner.js';

/**
 * How untrusted job work is isolated: `bwrap` (bubblewrap), `unshare` (util-linux namespaces and a chroot), `auto`
 * (the first of those that works here) or `off` (no isolation: only the limits and a clean environment).
 */
export type SandboxMode = 'auto' | 'bwrap' | 'unshare' | 'off';

/** What one sandboxed run may use. */
export interface SandboxLimits {
  /** CPU seconds per process (RLIMIT_CPU): a busy loop is killed by SIGXCPU/SIGKILL. */
  cpuSeconds: number;
  /** Address space per process (RLIMIT_AS), in bytes. */
  memoryBytes: number;
  /** Processes and threads of the sandbox's own user (RLIMIT_NPROC): a fork bomb stops there. */
  maxProcesses: number;
  /** Bytes of stdout (the run is killed above it) and the largest file it may write (RLIMIT_FSIZE). */
  maxOutputBytes: number;
  /** Wall-clock deadline: the whole sandbox is killed when it is reached. */
  timeoutMs: number;
}

/** One run: a script for Node.js, in `dir`, seeing only what is listed. */
export interface SandboxRequest {
  /** The job's own directory (see Sandbox.jobDir): the only writable place, the working directory, `/work` inside. */
  dir: string;
  /** JavaScript run by `node -e` (CommonJS; `await import()` works). */
  script: string;
  args?: string[];
  /** Packages the script may import, by name: host directory (bound read-only under /opt/hivesync/node_modules). */
  modules?: Record<string, string>;
  /** The whole environment of the run (nothing of the worker's is passed). */
  env?: Record<string, string>;
  limits: SandboxLimits;
  /** Written to the script's stdin. */
  input?: Buffer;
}

/** How a run ended. */
export interface SandboxResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  stdout: Buffer;
  /** The first 64 KiB of stderr. */
  stderr: string;
  timedOut: boolean;
  /** Stdout passed `maxOutputBytes`. */
  outputExceeded: boolean;
  durationMs: number;
}

/** A job's own directory and the user it runs as. */
export interface JobDir {
  dir: string;
  remove(): Promise<void>;
}

/** Where the job directory appears inside the sandbox. */
export const SANDBOX_WORK_DIR = '/work';
/** Where the packages a run may import appear inside the sandbox. */
export const SANDBOX_MODULES_DIR = '/opt/hivesync/node_modules';
const NODE_INSIDE = '/opt/hivesync/bin/node';
// First uid of the range sandboxed runs use when the worker runs as root; each run draws its own, so the
// process-count limit of one run does not count another's processes, and no run can read the worker's 0600 files.
const UID_BASE = 200_000;
const UID_RANGE = 60_000;
const NO_SANDBOX_REASON =
  'Sandboxed jobs cannot run on this worker: neither bubblewrap (bwrap) nor unshare can create namespaces here. Install bubblewrap (Debian: apt-get install bubblewrap) or allow user namespaces; or set HIVESYNC_SANDBOX=off to run job code without isolation (not recommended).';

/** Thrown by `run` when this worker cannot isolate job code. */
export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

/**
 * Runs untrusted job work (building a preview from a user's files, anything that parses or executes user content
 * at scale) in a child process that has its own empty directory, no network (a network namespace of its own), no
 * view of the server's files, data directory or environment (only the Node.js binary, the system libraries it
 * links and the packages the job names, read-only), a user of its own when the worker is root, and CPU, memory,
 * process and output limits; killed at its deadline, with everything it started.
 */
export class Sandbox {
  private readonly spawner = new Spawner();
  private readonly node = realpathSync(process.execPath);
  private readonly asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  private constructor(
    /** What isolates runs: `none` when HIVESYNC_SANDBOX=off, `unavailable` when nothing can. */
    readonly kind: 'bwrap' | 'unshare' | 'none' | 'unavailable',
    private readonly programs: { bwrap?: string; unshare?: string; prlimit?: string; setpriv?: string },
    /** Why `kind` is `unavailable`. */
    readonly reason: string | undefined,
  ) {}

  /**
   * Finds how to isolate runs on this machine (`mode` auto tries bwrap, then unshare, each with a real run) and logs
   * it; HIVESYNC_SANDBOX=off is logged as an error at every start, since job code then runs unconfined.
   */
  static async open(mode: SandboxMode, logger: Logger, searchPath = '/usr/bin:/bin:/usr/sbin:/sbin'): Promise<Sandbox> {
    const find = (name: string) =>
      searchPath
        .split(':')
        .map((d) => path.join(d, name))
        .find((p) => existsSync(p));
    const programs = {
      bwrap: find('bwrap'),
      unshare: find('unshare'),
      prlimit: find('prlimit'),
      setpriv: find('setpriv'),
    };
    if (mode === 'off') {
      logger.error(
        "HIVESYNC_SANDBOX=off: job code that touches user content (preview builds) runs WITHOUT isolation, with the network and this machine's files in reach. Use this only where every user is trusted.",
      );
      return new Sandbox('none', programs, undefined);
    }
    const tried: string[] = [];
    const unreadable = process.getuid?.() === 0 ? firstClosedToOthers(realpathSync(process.execPath)) : undefined;
    if (unreadable) {
      // Runs get a user of their own when the worker is root: that user must be able to start the Node.js binary.
      const reason = `Sandboxed jobs cannot run on this worker: sandboxed runs use a user of their own, and that user cannot start the Node.js binary ${process.execPath} (${unreadable} is closed to other users). Install Node.js where other users can read it or open that folder (chmod o+rx ${unreadable}); or set HIVESYNC_SANDBOX=off to run job code without isolation (not recommended).`;
      logger.error({ sandbox: 'unavailable' }, reason);
      return new Sandbox('unavailable', programs, reason);
    }
    for (const kind of mode === 'auto' ? (['bwrap', 'unshare'] as const) : [mode]) {
      if (!programs[kind]) {
        tried.push(`${kind}: not installed`);
        continue;
      }
      const candidate = new Sandbox(kind, programs, undefined);
      const problem = await candidate.probe();
      if (!problem) {
        logger.info({ sandbox: kind }, `sandboxed jobs run with ${kind}`);
        return candidate;
      }
      candidate.close();
      tried.push(`${kind}: ${problem}`);
    }
    const reason = `${NO_SANDBOX_REASON} (${tried.join('; ')})`;
    logger.error({ sandbox: 'unavailable' }, reason);
    return new Sandbox('unavailable', programs, reason);
  }

  /** A run of `process.exit(0)`: undefined when it works, else what went wrong. */
  private async probe(): Promise<string | undefined> {
    const job = await this.jobDir().catch((err: Error) => err);
    if (job instanceof Error) return job.message;
    try {
      const r = await this.run({
        dir: job.dir,
        script: 'process.stdout.write("ok")',
        limits: { cpuSeconds: 10, memoryBytes: 2 ** 31, maxProcesses: 64, maxOutputBytes: 1024, timeoutMs: 15_000 },
      });
      if (r.code === 0 && r.stdout.toString() === 'ok') return undefined;
      return (r.stderr.trim().split('\n').at(-1) ?? `exit code ${r.code}`).slice(0, 300);
    } catch (err) {
      return (err as Error).message;
    } finally {
      await job.remove();
    }
  }

  /** Whether runs are isolated (false with HIVESYNC_SANDBOX=off). */
  get isolated(): boolean {
    return this.kind === 'bwrap' || this.kind === 'unshare';
  }

  /** Throws SandboxUnavailableError (with what to do) when this worker cannot run sandboxed jobs. */
  assertAvailable(): void {
    if (this.kind === 'unavailable') throw new SandboxUnavailableError(this.reason ?? NO_SANDBOX_REASON);
  }

  /** A fresh, empty directory for one job (mode 0700, owned by the user its runs get); remove it when done. */
  async jobDir(): Promise<JobDir> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-job-'));
    return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
  }

  /**
   * Runs `request.script` under the limits; resolves however the script ends (a non-zero code, a signal, a
   * deadline), and throws only when the sandbox itself cannot start.
   */
  async run(request: SandboxRequest): Promise<SandboxResult> {
    this.assertAvailable();
    const { limits } = request;
    const uid = this.asRoot && this.isolated ? UID_BASE + crypto.randomInt(UID_RANGE) : undefined;
    if (uid !== undefined) {
      // The packages a run may import are bound into it as its own user: that user must be able to read them.
      for (const dir of Object.values(request.modules ?? {})) {
        const closed = firstClosedToOthers(dir);
        if (closed) {
          throw new SandboxUnavailableError(
            `Sandboxed runs use a user of their own, and that user cannot read ${dir} (${closed} is closed to other users). Install HiveSync where other users can read it or open that folder (chmod o+rx ${closed}).`,
          );
        }
      }
      await chownTree(request.dir, uid);
    }
    const nodeArgs = [`--max-old-space-size=${Math.max(64, Math.floor((limits.memoryBytes / 2 ** 20) * 0.6))}`];
    const inner = [...nodeArgs, '-e', request.script, '--', ...(request.args ?? [])];
    const env = {
      HOME: SANDBOX_WORK_DIR,
      TMPDIR: `${SANDBOX_WORK_DIR}/.tmp`,
      NODE_PATH: SANDBOX_MODULES_DIR,
      ...request.env,
    };
    await fs.mkdir(path.join(request.dir, '.tmp'), { recursive: true });
    if (uid !== undefined) await fs.chown(path.join(request.dir, '.tmp'), uid, uid);
    let file: string;
    let args: string[];
    if (this.kind === 'bwrap') {
      [file, args] = this.withLimits(limits, uid, this.programs.bwrap!, [
        ...this.bwrapArgs(request, env),
        '--',
        NODE_INSIDE,
        ...inner,
      ]);
    } else if (this.kind === 'unshare') {
      [file, args] = this.withLimits(limits, uid, this.programs.unshare!, [
        '--user',
        '--map-root-user',
        '--net',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount',
        '--ipc',
        '--uts',
        '/bin/sh',
        '-c',
        UNSHARE_SETUP,
        'sandbox',
        this.node,
        request.dir,
        JSON.stringify(Object.entries(request.modules ?? {})),
        JSON.stringify(env),
        ...inner,
      ]);
    } else {
      // HIVESYNC_SANDBOX=off: the limits and a clean environment, nothing else.
      [file, args] = this.withLimits(limits, undefined, this.node, inner);
    }
    const started = performance.now();
    const { result } = this.spawner.run({
      file,
      args,
      cwd: request.dir,
      env:
        this.kind === 'none'
          ? { ...env, HOME: request.dir, TMPDIR: path.join(request.dir, '.tmp'), NODE_PATH: '' }
          : {},
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxOutputBytes,
      input: request.input,
    });
    const r: SpawnResult = await result;
    return {
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      timedOut: r.timedOut,
      outputExceeded: r.overflow,
      durationMs: performance.now() - started,
    };
  }

  /** `prlimit … [setpriv …] program args`: limits (and, as root, a user of its own) set before the sandbox starts. */
  private withLimits(
    limits: SandboxLimits,
    uid: number | undefined,
    program: string,
    args: string[],
  ): [string, string[]] {
    const cmd: string[] = [];
    if (uid !== undefined) {
      if (!this.programs.setpriv)
        throw new SandboxUnavailableError('setpriv (util-linux) is needed to run jobs as their own user.');
      cmd.push(this.programs.setpriv, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--');
    }
    cmd.push(program, ...args);
    if (!this.programs.prlimit)
      throw new SandboxUnavailableError('prlimit (util-linux) is needed to limit job processes.');
    return [
      this.programs.prlimit,
      [
        `--cpu=${limits.cpuSeconds}`,
        `--as=${limits.memoryBytes}`,
        // Threads count: Node.js runs ~10, esbuild a few per core.
        `--nproc=${limits.maxProcesses}`,
        `--fsize=${limits.maxOutputBytes}`,
        '--nofile=512',
        '--core=0',
        '--',
        ...cmd,
      ],
    ];
  }

  private bwrapArgs(request: SandboxRequest, env: Record<string, string>): string[] {
    const args = [
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
      '--hostname',
      'sandbox',
      // The dynamic loader and the C/C++ libraries Node.js links; no /etc, no /home, no data directory.
      '--ro-bind',
      '/usr/lib',
      '/usr/lib',
      '--ro-bind-try',
      '/usr/lib64',
      '/usr/lib64',
      '--symlink',
      'usr/lib',
      '/lib',
      '--symlink',
      'usr/lib64',
      '/lib64',
      '--ro-bind',
      this.node,
      NODE_INSIDE,
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--tmpfs',
      '/tmp',
      '--bind',
      request.dir,
      SANDBOX_WORK_DIR,
      '--chdir',
      SANDBOX_WORK_DIR,
    ];
    for (const [name, dir] of Object.entries(request.modules ?? {})) {
      args.push('--ro-bind', dir, `${SANDBOX_MODULES_DIR}/${name}`);
    }
    // The sandbox's root itself read-only: only /work (and its own /tmp) take writes.
    args.push('--remount-ro', '/');
    for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
    return args;
  }

  /** Stops the helper process that starts runs. */
  close(): void {
    this.spawner.close();
  }
}

/**
 * The `unshare` fallback, run by /bin/sh as root of a new user, mount, PID and network namespace: builds a root of
 * its own on a tmpfs (the same read-only binds as bubblewrap's), then chroots into it and runs Node.js with a clean
 * environment. Arguments: node binary, job dir, modules (JSON [name, dir][]), env (JSON), then Node's arguments.
 */
const UNSHARE_SETUP = String.raw`
set -eu
node="$1"; job="$2"; modules="$3"; envjson="$4"; shift 4
root=$(mktemp -d)
mount -t tmpfs -o mode=0755 sandbox "$root"
robind() { mkdir -p "$2"; mount --bind "$1" "$2"; mount -o remount,bind,ro "$2"; }
robind /usr/lib "$root/usr/lib"
[ -d /usr/lib64 ] && robind /usr/lib64 "$root/usr/lib64"
ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
mkdir -p "$root/opt/hivesync/bin" "$root/work" "$root/proc" "$root/dev" "$root/tmp"
touch "$root/opt/hivesync/bin/node"; mount --bind "$node" "$root/opt/hivesync/bin/node"; mount -o remount,bind,ro "$root/opt/hivesync/bin/node"
for d in null zero random urandom; do touch "$root/dev/$d"; mount --bind "/dev/$d" "$root/dev/$d"; done
mount --bind "$job" "$root/work"
mount -t proc proc "$root/proc"
printf '%s' "$modules" > "$root/tmp/modules.json"
"$node" -e 'for (const [n, d] of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))) console.log(n + "\t" + d)' "$root/tmp/modules.json" |
while IFS="$(printf '\t')" read -r name dir; do
  mkdir -p "$root/opt/hivesync/node_modules/$name"; robind "$dir" "$root/opt/hivesync/node_modules/$name"
done
rm "$root/tmp/modules.json"
mount -t tmpfs -o mode=1777 tmp "$root/tmp"
mount -o remount,bind,ro "$root"
hostname sandbox
cd "$root/work"
exec chroot "$root" /opt/hivesync/bin/node -e '
const env = JSON.parse(process.argv[1]); const { spawnSync } = require("child_process");
process.chdir("/work");
const r = spawnSync("/opt/hivesync/bin/node", process.argv.slice(2), { env, stdio: "inherit" });
process.exit(r.status ?? 1);' "$envjson" "$@"
`;

/** The first of `file` and its folders that other users cannot open (read the file, enter a folder), if any. */
export function firstClosedToOthers(file: string): string | undefined {
  for (let p = file; ; p = path.dirname(p)) {
    const need = p === file ? 0o005 : 0o001;
    if ((statSync(p).mode & need) !== need) return p;
    if (p === path.dirname(p)) return undefined;
  }
}

/** Hands a directory and everything in it to `uid` (runs as root only). */
async function chownTree(dir: string, uid: number): Promise<void> {
  await fs.chown(dir, uid, uid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    await fs.lchown(path.join(entry.parentPath, entry.name), uid, uid);
  }
}

/**
 * The directory of an installed package as Node.js resolves it from `fromDir` (its real path: a workspace package
 * is a symlink in node_modules).
 */
export function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`package ${name} is not installed (looked from ${fromDir})`);
  }
}
