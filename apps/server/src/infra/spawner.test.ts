import { afterAll, describe, expect, it } from 'vitest';
import { Spawner } from './spawner.js';

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

  it('ends a run killed by its caller together with everything the program started', async () => {
    const run = sh('sleep 60 & sleep 60; wait', 60_000);
    setTimeout(run.kill, 200);
    const r = await run.result;
    expect(r.code).toBeNull();
    expect(r.timedOut).toBe(false);
  }, 20_000);
});
