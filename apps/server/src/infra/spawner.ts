import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs programs (git) from a small helper process instead of from the server itself.
 *
 * Why: Node forks the whole process to start a program, and forking costs time in proportion to the parent's
 * memory. The server holds the embedded database (hundreds of MB), so each git call cost ~30 ms before it ran;
 * from this ~40 MB helper it costs ~2 ms. The helper is plain JavaScript passed with `-e`, so it runs the same
 * from sources (tests) and from the build.
 *
 * Each program runs in a process group of its own, and a kill (deadline, output limit, `kill()`, the server
 * going away) ends the whole group. Killing only the program left what it had started holding its output open, so
 * the run never ended: a bwrap killed while it starts leaves its sandbox's first process waiting forever for a
 * signal from it (1 run in 8 with a deadline of a few ms), and git leaves its helpers behind the same way.
 */
const CHILD = String.raw`
const { spawn } = require('node:child_process');
const running = new Map();
const killGroup = (child) => {
  try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
};
process.on('message', (m) => {
  if (m.type === 'kill') { const c = running.get(m.id); if (c) killGroup(c); return; }
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
  running.set(m.id, child);
  if (m.input) {
    child.stdin.on('error', () => {}); // a program that exits before reading all of it: its exit code tells
    child.stdin.end(Buffer.from(m.input));
  }
  const chunks = [];
  let size = 0, stderr = '', timedOut = false, overflow = false;
  const timer = setTimeout(() => { timedOut = true; killGroup(child); }, m.timeoutMs);
  child.stdout.on('data', (c) => {
    size += c.length;
    if (m.maxBytes !== undefined && size > m.maxBytes) { overflow = true; killGroup(child); return; }
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
process.on('disconnect', () => { for (const c of running.values()) killGroup(c); process.exit(0); });
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
