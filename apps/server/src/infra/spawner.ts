import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs programs (git) from a small helper process instead of from the server itself.
 *
 * Why: Node forks the whole process to start a program, and forking costs time in proportion to the parent's
 * memory. The server holds the embedded database (hundreds of MB), so each git call cost ~30 ms before it ran;
 * from this ~40 MB helper it costs ~2 ms. The helper is plain JavaScript passed with `-e`, so it runs the same
 * from sources (tests) and from the build.
 *
 * Each program runs in a process group of its own, and a kill (deadline, output limit, `kill()`, the server going
 * away) ends what it started: the group is stopped (nothing in it starts anything more), every process descended
 * from the program is read off /proc, then the group and those processes are killed. Killing only the program left
 * what it had started holding its output open, so the run never ended: a bwrap killed while it starts leaves its
 * sandbox's first process behind, in a session of its own or waiting forever for a signal from it (1 run in 8 with
 * a deadline of a few ms, and 1 in 35 under load after the group alone was killed). Whatever still escapes (a
 * process that had already left the tree, or outlived a program that exited) cannot hold the run: 2 s after a
 * killed program exits, or after the kill of one that had exited, its pipes are closed and the run ends.
 */
const CHILD = String.raw`
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const running = new Map();
// Every process descended from pid, from the parent links in /proc/<pid>/stat ("pid (comm) state ppid ...").
const descendants = (pid) => {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    let stat;
    try { stat = fs.readFileSync('/proc/' + name + '/stat', 'utf8'); } catch { continue; }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const out = [];
  const todo = [pid];
  while (todo.length > 0) for (const c of children.get(todo.pop()) || []) { out.push(c); todo.push(c); }
  return out;
};
const killTree = (child) => {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, 'SIGSTOP'); } catch {}
  let tree = [];
  try { tree = descendants(child.pid); } catch {}
  try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
  for (const pid of tree) { try { process.kill(pid, 'SIGKILL'); } catch {} }
};
process.on('message', (m) => {
  if (m.type === 'kill') { running.get(m.id)?.(); return; }
  let child;
  try {
    child = spawn(m.file, m.args, {
      cwd: m.cwd,
      env: m.env,
      stdio: [m.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (err) {
    process.send({ id: m.id, type: 'exit', code: null, stderr: String(err && err.message), timedOut: false, overflow: false });
    return;
  }
  let killed = false;
  const closeSoon = () => setTimeout(() => { child.stdout.destroy(); child.stderr.destroy(); }, 2000).unref();
  const kill = () => {
    if (killed) return;
    killed = true;
    killTree(child);
    // (A program that had exited already, its output still held open by what it left behind.)
    if (child.exitCode !== null || child.signalCode !== null) closeSoon();
  };
  child.on('exit', () => { if (killed) closeSoon(); });
  running.set(m.id, kill);
  if (m.input) {
    child.stdin.on('error', () => {}); // a program that exits before reading all of it: its exit code tells
    child.stdin.end(Buffer.from(m.input));
  }
  const chunks = [];
  let size = 0, stderr = '', timedOut = false, overflow = false;
  const timer = setTimeout(() => { timedOut = true; kill(); }, m.timeoutMs);
  child.stdout.on('data', (c) => {
    size += c.length;
    if (m.maxBytes !== undefined && size > m.maxBytes) { overflow = true; kill(); return; }
    if (m.stream) process.send({ id: m.id, type: 'data', chunk: c });
    else chunks.push(c);
  });
  child.stderr.on('data', (c) => { if (stderr.length < 65536) stderr += c.toString(); });
  child.on('error', (err) => { stderr += err.message; });
  child.on('close', (code) => {
    clearTimeout(timer);
    running.delete(m.id);
    process.send({ id: m.id, type: 'exit', code, stderr, timedOut, overflow, stdout: m.stream ? undefined : Buffer.concat(chunks) });
  });
});
process.on('disconnect', () => { for (const kill of running.values()) kill(); process.exit(0); });
`;

/** How a program run ended. */
export interface SpawnResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  overflow: boolean;
}

/** One program run. */
export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  timeoutMs: number;
  maxBytes?: number;
  /** Written to the program's stdin, which is then closed (without it, stdin is /dev/null). */
  input?: Buffer;
}

interface Pending {
  resolve: (r: SpawnResult) => void;
  reject: (err: Error) => void;
  onData?: (chunk: Buffer) => void;
}

/** The helper process and the runs in flight through it. */
export class Spawner {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private ensure(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    const child = spawn(process.execPath, ['-e', CHILD], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: { PATH: '/usr/bin:/bin' },
    });
    child.on('message', (m: { id: number; type: 'data' | 'exit'; chunk?: Uint8Array } & Partial<SpawnResult>) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'data') {
        p.onData?.(Buffer.from(m.chunk!));
        return;
      }
      this.pending.delete(m.id);
      this.holdOpen();
      p.resolve({
        code: m.code ?? null,
        stdout: m.stdout ? Buffer.from(m.stdout) : Buffer.alloc(0),
        stderr: m.stderr ?? '',
        timedOut: m.timedOut === true,
        overflow: m.overflow === true,
      });
    });
    child.on('exit', () => {
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new Error('the process helper exited'));
      }
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    this.holdOpen();
    return child;
  }

  /** Keeps this process alive while runs are in flight, and never because of an idle helper. */
  private holdOpen(): void {
    const child = this.child;
    if (!child) return;
    const channel = (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
    if (this.pending.size > 0) {
      child.ref();
      channel?.ref();
    } else {
      child.unref();
      channel?.unref();
    }
  }

  /** Runs a program to completion; stdout is collected unless `onData` takes it chunk by chunk. */
  run(request: SpawnRequest, onData?: (chunk: Buffer) => void): { result: Promise<SpawnResult>; kill: () => void } {
    const child = this.ensure();
    const id = this.nextId++;
    const result = new Promise<SpawnResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onData });
    });
    this.holdOpen();
    child.send({ id, type: 'run', stream: onData !== undefined, ...request });
    return { result, kill: () => void (child.connected && child.send({ id, type: 'kill' })) };
  }

  /** Stops the helper (and anything it still runs). */
  close(): void {
    this.child?.disconnect();
    this.child = undefined;
  }
}
