import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../test/harness.js';
import { Spawner } from './spawner.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Spawner', () => {
  const spawner = new Spawner();
  afterAll(() => spawner.close());

  const sh = (script: string, timeoutMs: number) =>
    spawner.run({ file: '/bin/sh', args: ['-c', script], cwd: undefined, env: {}, timeoutMs });

  it('runs a program and returns its output and exit code', async () => {
    const r = await sh('echo out; echo err >&2; exit 3', 10_000).result;
    expect(r).toMatchObject({ code: 3, stderr: 'err\n', timedOut: false, overflow: false });
    expect(r.stdout.toString()).toBe('out\n');
  });

  // A program that started others which hold its output: killing the program alone never ended the run (the
  // others kept the pipe open for 60 s). The whole process group goes at the deadline.
  it('ends a run at its deadline together with everything the program started', async () => {
    const r = await sh('sleep 60 & sleep 60 & echo started; wait', 300).result;
    expect(r.timedOut).toBe(true);
    expect(r.stdout.toString()).toBe('started\n');
  }, 20_000);

  // bwrap's first process calls setsid (--new-session): it has left the group when the deadline kills it.
  it('kills what the program started that left its process group, at the deadline', async () => {
    const r = await sh('setsid sleep 60 & echo $!; wait', 300).result;
    expect(r.timedOut).toBe(true);
    const pid = Number(r.stdout.toString().trim());
    expect(pid).toBeGreaterThan(0);
    await eventually(async () => !alive(pid), 5000, 50);
  }, 20_000);

  // A process that left the program's tree before the deadline (double fork, new session) cannot be found to kill;
  // it still cannot hold the run open: the pipes are closed 2 s after the killed program exits.
  it('ends a killed run whose output a process outside its tree still holds', async () => {
    const started = Date.now();
    const r = await sh('(setsid sleep 60 & echo $!); wait', 300).result;
    const pid = Number(r.stdout.toString().trim());
    try {
      expect(r.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 20_000);

  it('ends a run killed by its caller together with everything the program started', async () => {
    const run = sh('sleep 60 & sleep 60; wait', 60_000);
    setTimeout(run.kill, 200);
    const r = await run.result;
    expect(r.code).toBeNull();
    expect(r.timedOut).toBe(false);
  }, 20_000);
});
