import { execFile, spawn } from 'node:child_process';

/** How git is run: the repository and the environment. */
export interface GitSource {
  gitDir: string;
  /** The environment git runs with (PATH at least); the server passes its hardened one. */
  env: NodeJS.ProcessEnv;
  /** Milliseconds after which a git command is killed (default 10 minutes). */
  timeoutMs?: number;
}

/** One regular file of a commit's tree. */
export interface TreeFile {
  path: string;
  oid: string;
}

const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Throws unless `commit` is a full object id (the only thing handed to git in an argument). */
export function assertObjectId(commit: string): void {
  if (!OID.test(commit)) throw new Error(`not a full object id: ${JSON.stringify(commit)}`);
}

function baseEnv(src: GitSource): NodeJS.ProcessEnv {
  return {
    ...src.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
  };
}

/**
 * The regular files (not symlinks, not submodules) of `commit`, with their blob ids. Without sizes: `ls-tree -l`
 * looks up every blob (742 ms instead of 67 for 57,515 files); blobSizes asks for the few that are needed.
 */
export async function listTree(src: GitSource, commit: string): Promise<TreeFile[]> {
  assertObjectId(commit);
  const out = await new Promise<Buffer>((resolve, reject) => {
    execFile(
      'git',
      ['--git-dir', src.gitDir, 'ls-tree', '-r', '-z', '--full-tree', '--end-of-options', commit],
      { env: baseEnv(src), encoding: 'buffer', maxBuffer: 1 << 30, timeout: src.timeoutMs ?? 600_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
  const files: TreeFile[] = [];
  let start = 0;
  for (let nul = out.indexOf(0, start); nul !== -1; nul = out.indexOf(0, start)) {
    const rec = out.subarray(start, nul);
    start = nul + 1;
    const tab = rec.indexOf(9);
    // "<mode> SP <type> SP <oid> TAB <path>"
    const [mode, type, oid] = rec.subarray(0, tab).toString('latin1').split(' ');
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) continue;
    files.push({ path: rec.subarray(tab + 1).toString('utf8'), oid: oid! });
  }
  return files;
}

/** The size of each blob, from one `git cat-file --batch-check`. */
export async function blobSizes(src: GitSource, oids: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (oids.length === 0) return sizes;
  for (const oid of oids) assertObjectId(oid);
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      'git',
      ['--git-dir', src.gitDir, 'cat-file', '--batch-check'],
      { env: baseEnv(src), encoding: 'latin1', maxBuffer: 1 << 30, timeout: src.timeoutMs ?? 600_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin!.on('error', () => undefined); // git exiting early is reported by its exit status
    child.stdin!.end(oids.join('\n') + '\n');
  });
  // "<oid> SP <type> SP <size>" per line, in the order asked.
  for (const line of out.split('\n')) {
    const [oid, type, size] = line.split(' ');
    if (type === 'blob') sizes.set(oid!, Number(size));
  }
  if (sizes.size !== new Set(oids).size)
    throw new Error(`git cat-file --batch-check: ${oids.length - sizes.size} blobs missing`);
  return sizes;
}

/**
 * Reads blobs with one `git cat-file --batch`, calling `onBlob` in the order asked; resolves when all are read.
 * Blobs are handed over one at a time, so memory holds one blob (plus git's pipe), whatever their number.
 */
export async function readBlobs(
  src: GitSource,
  oids: string[],
  onBlob: (oid: string, content: Buffer) => void,
): Promise<void> {
  if (oids.length === 0) return;
  for (const oid of oids) assertObjectId(oid);
  const child = spawn('git', ['--git-dir', src.gitDir, 'cat-file', '--batch'], {
    env: baseEnv(src),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), src.timeoutMs ?? 600_000);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => undefined); // git exiting early is reported by its exit status
  let pending: Buffer = Buffer.alloc(0);
  let next = 0;
  let want = -1; // bytes of the current blob's content (plus its newline) still expected, -1 while in a header
  let parts: Buffer[] = [];
  let have = 0;
  let failure: Error | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (want < 0) {
        const nl = pending.indexOf(10);
        if (nl === -1) return;
        const header = pending.subarray(0, nl).toString('latin1');
        pending = pending.subarray(nl + 1);
        const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
        if (!m || m[2] !== 'blob') {
          failure ??= new Error(`git cat-file: unexpected answer ${JSON.stringify(header)} for ${oids[next]}`);
          child.kill();
          return;
        }
        want = Number(m[3]) + 1;
        parts = [];
        have = 0;
      }
      const take = Math.min(want - have, pending.length);
      if (take > 0) {
        parts.push(pending.subarray(0, take));
        have += take;
        pending = pending.subarray(take);
      }
      if (have < want) return;
      const content = Buffer.concat(parts, have).subarray(0, have - 1);
      want = -1;
      parts = [];
      onBlob(oids[next++]!, content);
    }
  });
  child.stdin.end(oids.join('\n') + '\n');
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearTimeout(timer);
  if (failure) throw failure;
  if (code !== 0 || next !== oids.length) {
    throw new Error(`git cat-file --batch failed (${code}): ${stderr.trim() || `read ${next} of ${oids.length}`}`);
  }
}
