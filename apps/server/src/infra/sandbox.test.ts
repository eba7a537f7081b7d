import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { firstClosedToOthers, packageDir, Sandbox, SandboxUnavailableError, type SandboxLimits } from './sandbox.js';

const logger = createLogger('silent');
const limits: SandboxLimits = {
  cpuSeconds: 20,
  memoryBytes: 1536 * 2 ** 20,
  maxProcesses: 64,
  maxOutputBytes: 1 << 20,
  timeoutMs: 30_000,
};

// Every isolating kind this machine has is tested; CI installs bubblewrap, so there it must be one of them.
const kinds = (['bwrap', 'unshare'] as const).filter((k) =>
  ['/usr/bin', '/bin'].some((d) => fs.existsSync(path.join(d, k))),
);
if (process.env.CI === 'true' && !kinds.includes('bwrap')) {
  throw new Error('CI must have bubblewrap (bwrap) installed: the sandbox tests need it.');
}

describe.each(kinds)('sandbox with %s', (kind) => {
  let sandbox: Sandbox;
  let listener: net.Server;
  let port = 0;
  let connections = 0;
  // Stands for the server's data directory: a secret file the job must not see.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-data-'));
  fs.writeFileSync(path.join(dataDir, 'secrets.key'), 'top-secret-key', { mode: 0o600 });

  beforeAll(async () => {
    sandbox = await Sandbox.open(kind, logger);
    // This machine must be able to isolate with `kind`, or the test fails saying why.
    expect(sandbox.reason).toBeUndefined();
    expect(sandbox.kind).toBe(kind);
    listener = net.createServer((s) => {
      connections++;
      s.end('hello');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    sandbox?.close();
    if (listener) await new Promise((resolve) => listener.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(script: string, overrides: Partial<SandboxLimits> = {}, modules?: Record<string, string>) {
    const job = await sandbox.jobDir();
    try {
      const result = await sandbox.run({ dir: job.dir, script, limits: { ...limits, ...overrides }, modules });
      return { ...result, out: result.stdout.toString(), dir: job.dir };
    } finally {
      await job.remove();
    }
  }

  it('runs a script in its own directory and gets its output', async () => {
    const r = await run(
      `require('fs').writeFileSync('out.txt', 'written'); console.log(JSON.stringify({ cwd: process.cwd(), back: require('fs').readFileSync('out.txt', 'utf8'), env: Object.keys(process.env).sort() }))`,
    );
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.out) as { cwd: string; back: string; env: string[] };
    expect(seen.cwd).toBe('/work');
    expect(seen.back).toBe('written');
    // A clean environment: none of the worker's variables (DATABASE_URL, secrets, PATH) reach the job.
    expect(seen.env.filter((k) => k !== 'PWD')).toEqual(['HOME', 'NODE_PATH', 'TMPDIR']);
  });

  it('has no network: a socket to a loopback port of the host fails', async () => {
    const r = await run(`
      const s = require('net').connect(${port}, '127.0.0.1');
      s.on('connect', () => { console.log('connected'); process.exit(0); });
      s.on('error', (e) => { console.log('error ' + e.code); process.exit(3); });`);
    expect(r.out).toMatch(/^error (ECONNREFUSED|ENETUNREACH)/);
    expect(r.code).toBe(3);
    expect(connections).toBe(0);
  });

  it("cannot read /etc/hostname, the data directory or the worker's files", async () => {
    const r = await run(`
      const fs = require('fs');
      const tries = ${JSON.stringify(['/etc/hostname', path.join(dataDir, 'secrets.key'), dataDir, process.cwd(), '/root'])};
      console.log(JSON.stringify(tries.map((p) => { try { fs.readFileSync(p); return 'read ' + p; } catch (e) { return e.code; } })));
      // /proc/1 is the sandbox's own init, never the worker.
      console.error(fs.readFileSync('/proc/1/environ', 'utf8'));`);
    expect(r.code).toBe(0);
    const outcomes = JSON.parse(r.out) as string[];
    for (const outcome of outcomes) expect(outcome).toMatch(/^(ENOENT|EACCES|EISDIR|EPERM)$/);
    expect(r.out).not.toContain('top-secret-key');
    expect(r.stderr).not.toMatch(/DATABASE_URL|HIVESYNC_|PATH=/);
  });

  it('cannot write outside its directory', async () => {
    const outside = path.join(os.tmpdir(), `hivesync-escape-${process.pid}-${kind}`);
    const r = await run(`
      const fs = require('fs');
      const tries = ${JSON.stringify([outside, '/usr/lib/escape', '/opt/hivesync/bin/escape', path.join(dataDir, 'escape')])};
      console.log(JSON.stringify(tries.map((p) => { try { fs.writeFileSync(p, 'x'); return 'wrote ' + p; } catch (e) { return e.code; } })));`);
    expect(r.code).toBe(0);
    const outcomes = JSON.parse(r.out) as string[];
    // /tmp inside is the sandbox's own (gone with it); the rest is read-only or absent.
    expect(outcomes.slice(1)).toEqual(expect.arrayContaining([expect.stringMatching(/^(EROFS|ENOENT|EACCES)$/)]));
    for (const o of outcomes.slice(1)) expect(o).not.toMatch(/^wrote/);
    expect(fs.existsSync(outside)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'escape'))).toBe(false);
  });

  it('stops a fork bomb at the process limit, and the worker runs the next job', async () => {
    const r = await run(
      `
      const { spawn } = require('child_process');
      let started = 0, refused = 0;
      for (let i = 0; i < 200; i++) {
        try {
          const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
          c.on('error', () => {});
          if (c.pid) started++; else refused++;
        } catch { refused++; }
      }
      console.log(JSON.stringify({ started, refused }));
      process.exit(0);`,
      { timeoutMs: 20_000 },
    );
    const counts = JSON.parse(r.out) as { started: number; refused: number };
    expect(counts.refused).toBeGreaterThan(0);
    expect(counts.started).toBeLessThan(64);
    const next = await run('console.log("still here")');
    expect(next.out.trim()).toBe('still here');
  });

  it('fails an allocation past the memory limit', async () => {
    const r = await run(`const a = []; for (;;) a.push(Buffer.alloc(64 * 2 ** 20, 1));`, {
      memoryBytes: 1536 * 2 ** 20,
    });
    expect(r.code).not.toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toMatch(/allocation failed|failed to allocate memory|out of memory|Cannot allocate/i);
  });

  it('kills a busy loop at its CPU time and a sleeper at its deadline', async () => {
    const busy = await run('for (;;) {}', { cpuSeconds: 1 });
    expect(busy.code).not.toBe(0);
    const sleeper = await run('setTimeout(() => {}, 600000)', { timeoutMs: 1500 });
    expect(sleeper.timedOut).toBe(true);
    expect(sleeper.code).not.toBe(0);
  });

  // A deadline that falls while the sandbox is still starting: bwrap killed before its first process was told to go
  // on left that process waiting forever with the run's output open, so the run (a preview build) never ended.
  it('ends every run whose deadline falls while the sandbox starts', async () => {
    for (let i = 0; i < 40; i++) {
      const r = await run('setTimeout(() => {}, 600000)', { timeoutMs: 1 + (i % 20) });
      expect(r.timedOut).toBe(true);
    }
  }, 120_000);

  it('stops output past its limit', async () => {
    const r = await run(`const s = 'x'.repeat(65536); for (let i = 0; i < 64; i++) process.stdout.write(s);`, {
      maxOutputBytes: 1 << 20,
    });
    expect(r.outputExceeded).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(1 << 20);
  });

  it('lets a script import only the packages it is given, read-only', async () => {
    const zod = packageDir('zod', path.dirname(new URL(import.meta.url).pathname));
    const r = await run(
      `(async () => {
        const { z } = await import('/opt/hivesync/node_modules/zod/index.js');
        let pino = 'absent'; try { require.resolve('pino'); pino = 'found'; } catch {}
        console.log(JSON.stringify({ parsed: z.string().parse('ok'), pino }));
      })().catch((e) => { console.error(e); process.exit(1); });`,
      {},
      { zod },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.out)).toEqual({ parsed: 'ok', pino: 'absent' });
  });

  // A root worker runs each job as a user of its own, which must be able to read the packages it is given.
  it.runIf(process.getuid?.() === 0)(
    'names a package folder closed to the run’s user instead of failing in bwrap',
    async () => {
      const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-closed-pkg-'));
      try {
        fs.mkdirSync(path.join(closed, 'zod'), { mode: 0o755 });
        const job = await sandbox.jobDir();
        try {
          const running = sandbox.run({ dir: job.dir, script: '', limits, modules: { zod: path.join(closed, 'zod') } });
          await expect(running).rejects.toThrow(SandboxUnavailableError);
          await expect(running).rejects.toThrow(`(${closed} is closed to other users)`);
        } finally {
          await job.remove();
        }
      } finally {
        fs.rmSync(closed, { recursive: true, force: true });
      }
    },
  );
});

describe('without a sandbox', () => {
  it('refuses sandboxed jobs with a clear error when nothing can isolate them', async () => {
    const sandbox = await Sandbox.open('auto', logger, '/nonexistent');
    try {
      expect(sandbox.kind).toBe('unavailable');
      const job = await sandbox.jobDir();
      await expect(sandbox.run({ dir: job.dir, script: '', limits })).rejects.toThrow(SandboxUnavailableError);
      await expect(sandbox.run({ dir: job.dir, script: '', limits })).rejects.toThrow(/HIVESYNC_SANDBOX=off/);
      await job.remove();
    } finally {
      sandbox.close();
    }
  });

  it('runs unconfined with HIVESYNC_SANDBOX=off (limits still apply)', async () => {
    const sandbox = await Sandbox.open('off', logger);
    const job = await sandbox.jobDir();
    try {
      expect(sandbox.isolated).toBe(false);
      const r = await sandbox.run({
        dir: job.dir,
        script: 'setTimeout(() => {}, 600000)',
        limits: { ...limits, timeoutMs: 1000 },
      });
      expect(r.timedOut).toBe(true);
    } finally {
      await job.remove();
      sandbox.close();
    }
  });

  it('names a folder other users cannot open on the way to a binary (a root worker runs jobs as its own user)', () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-closed-'));
    try {
      fs.mkdirSync(path.join(closed, 'bin'), { mode: 0o755 });
      fs.writeFileSync(path.join(closed, 'bin', 'node'), '', { mode: 0o755 });
      // mkdtemp makes a 0700 folder, as `mktemp -d` does.
      expect(firstClosedToOthers(path.join(closed, 'bin', 'node'))).toBe(closed);
      fs.chmodSync(closed, 0o755);
      expect(firstClosedToOthers(path.join(closed, 'bin', 'node'))).toBeUndefined();
      fs.chmodSync(path.join(closed, 'bin', 'node'), 0o700);
      expect(firstClosedToOthers(path.join(closed, 'bin', 'node'))).toBe(path.join(closed, 'bin', 'node'));
    } finally {
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });
});
