import { Spawner } from './spawner.js';

/** How a git invocation ended badly. */
export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(timedOut ? `git ${args[0]} timed out` : `git ${args[0]} failed (${exitCode}): ${firstLine(stderr)}`);
    this.name = 'GitError';
  }
}

/** Options of one git run. */
export interface GitRunOptions {
  /** Working directory (a worktree), or undefined with `gitDir`. */
  cwd?: string;
  /** `--git-dir` for plumbing on a bare repository. */
  gitDir?: string;
  /** Extra environment (credential helpers); merged over the safe base environment. */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Refuse stdout beyond this many bytes (the process is killed). */
  maxStdoutBytes?: number;
  /** Exit codes that are not failures (git grep exits 1 when nothing matched). */
  okExitCodes?: number[];
  /** Standard input (`cat-file --batch` reads object names from it); none by default. */
  input?: Buffer;
}

/**
 * Settings forced on every git command: no hooks, no fsmonitor, no submodule recursion, symlinks checked out as
 * plain files, no pager, no credential helper from anywhere but us, and no HTTP redirects (a redirect could send
 * a credential, or the fetch itself, to another host than the one checked).
 */
const SAFE_CONFIG = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.symlinks=false',
  'core.pager=cat',
  'credential.helper=',
  'http.followRedirects=false',
  'submodule.recurse=false',
  'advice.detachedHead=false',
  'gc.auto=0',
  // Check files out with one worker per core: a sync's worktree update is most of its time.
  'checkout.workers=0',
].flatMap((c) => ['-c', c]);

/**
 * The environment git runs with: nothing inherited but PATH, English messages, no prompts, no user config, and
 * pathspecs taken literally (a path from a client such as `:(glob)**` or `:!x` is a name, never pathspec magic).
 */
export function gitBaseEnv(systemPath: string, allowedProtocols: string): Record<string, string> {
  return {
    PATH: systemPath,
    HOME: '/nonexistent',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_ALLOW_PROTOCOL: allowedProtocols,
    GIT_LITERAL_PATHSPECS: '1',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  };
}

/** Runs git with an argument array (never a shell) through `spawner`; resolves with stdout, rejects with GitError. */
export async function runGit(
  spawner: Spawner,
  args: string[],
  options: GitRunOptions & { baseEnv: Record<string, string> },
): Promise<Buffer> {
  const fullArgs = [...SAFE_CONFIG, ...(options.gitDir ? [`--git-dir=${options.gitDir}`] : []), ...args];
  const { result } = spawner.run({
    file: 'git',
    args: fullArgs,
    cwd: options.cwd,
    env: { ...options.baseEnv, ...options.env },
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxStdoutBytes,
    input: options.input,
  });
  const r = await result;
  if (r.overflow) throw new GitError(args, r.code, 'output over the size limit', false);
  if (r.timedOut) throw new GitError(args, r.code, r.stderr, true);
  if (r.code === 0 || (r.code !== null && options.okExitCodes?.includes(r.code))) return r.stdout;
  throw new GitError(args, r.code, r.stderr, false);
}

/**
 * Streams git's stdout line by line (split on `\n`) until `onLine` returns false, then stops git.
 * Resolves with whether it was stopped early.
 */
export async function streamGit(
  spawner: Spawner,
  args: string[],
  options: GitRunOptions & { baseEnv: Record<string, string> },
  onLine: (line: Buffer) => boolean,
): Promise<{ stopped: boolean }> {
  let pending: Buffer = Buffer.alloc(0);
  let stopped = false;
  const run = spawner.run(
    {
      file: 'git',
      args: [...SAFE_CONFIG, ...(options.gitDir ? [`--git-dir=${options.gitDir}`] : []), ...args],
      cwd: options.cwd,
      env: { ...options.baseEnv, ...options.env },
      timeoutMs: options.timeoutMs,
    },
    (chunk) => {
      if (stopped) return;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let start = 0;
      for (let i = pending.indexOf(10, start); i !== -1; i = pending.indexOf(10, start)) {
        const keepGoing = onLine(pending.subarray(start, i));
        start = i + 1;
        if (!keepGoing) {
          stopped = true;
          run.kill();
          break;
        }
      }
      pending = pending.subarray(start);
    },
  );
  const r = await run.result;
  if (stopped) return { stopped: true };
  if (r.timedOut) throw new GitError(args, r.code, r.stderr, true);
  if (pending.length > 0) onLine(pending);
  if (r.code === 0 || (r.code !== null && options.okExitCodes?.includes(r.code))) return { stopped: false };
  throw new GitError(args, r.code, r.stderr, false);
}

/** Runs git for one installation: its PATH, its allowed protocols, its timeout. */
export class Git {
  readonly baseEnv: Record<string, string>;
  private readonly spawner = new Spawner();

  constructor(
    systemPath: string,
    options: { allowHttp: boolean; allowLocal: boolean; timeoutMs: number },
    readonly timeoutMs = options.timeoutMs,
  ) {
    const protocols = [
      'https',
      'ssh',
      'git',
      ...(options.allowHttp ? ['http'] : []),
      ...(options.allowLocal ? ['file'] : []),
    ];
    this.baseEnv = gitBaseEnv(systemPath, protocols.join(':'));
  }

  run(args: string[], options: Partial<GitRunOptions> = {}): Promise<Buffer> {
    return runGit(this.spawner, args, { timeoutMs: this.timeoutMs, ...options, baseEnv: this.baseEnv });
  }

  stream(
    args: string[],
    options: Partial<GitRunOptions>,
    onLine: (line: Buffer) => boolean,
  ): Promise<{ stopped: boolean }> {
    return streamGit(this.spawner, args, { timeoutMs: this.timeoutMs, ...options, baseEnv: this.baseEnv }, onLine);
  }

  /** Stops the helper process git runs from. */
  close(): void {
    this.spawner.close();
  }

  /** Whether git accepts `name` as a branch name (`git check-ref-format --branch`). */
  async isValidBranch(name: string): Promise<boolean> {
    try {
      await this.run(['check-ref-format', '--branch', name], { timeoutMs: 5000, cwd: '/' });
      return true;
    } catch {
      return false;
    }
  }
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 300);
}
