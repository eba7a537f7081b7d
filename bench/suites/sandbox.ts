import { Sandbox, type SandboxLimits } from '../../apps/server/src/infra/sandbox.js';
import { createLogger } from '../../apps/server/src/infra/logger.js';
import { alternate, ratioFields } from '../lib/alternate.js';
import type { Figure, Suite } from '../lib/report.js';
import { median } from '../lib/stats.js';

const LIMITS: SandboxLimits = {
  cpuSeconds: 30,
  memoryBytes: 2 ** 31,
  maxProcesses: 256,
  maxOutputBytes: 1 << 20,
  timeoutMs: 30_000,
};
/** Runs per round on each side; a round's figure is their median. */
const RUNS = 9;
const GOAL_ADDED_MS = 50;

/**
 * Sandbox overhead per job: from asking for a run to the script's first instruction (it prints Date.now() first
 * thing), sandboxed (bubblewrap: user, mount, PID, network, IPC and UTS namespaces, a fresh root, limits, a uid of
 * its own) against the same Node.js child process unsandboxed (HIVESYNC_SANDBOX=off: the limits and a clean
 * environment, no namespaces), started the same way, in alternating rounds.
 */
export const sandboxOverhead: Suite = {
  name: 'sandbox',
  embeddedOnly: true,
  async run({ rounds }): Promise<Figure[]> {
    const logger = createLogger('silent');
    const isolated = await Sandbox.open('auto', logger);
    const plain = await Sandbox.open('off', logger);
    if (!isolated.isolated) throw new Error(`no sandbox on this machine: ${isolated.reason}`);
    const startup = async (sandbox: Sandbox): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const job = await sandbox.jobDir();
        try {
          const asked = Date.now();
          const r = await sandbox.run({
            dir: job.dir,
            script: 'process.stdout.write(String(Date.now()))',
            limits: LIMITS,
          });
          if (r.code !== 0) throw new Error(`the run failed: ${r.stderr}`);
          times.push(Number(r.stdout.toString()) - asked);
        } finally {
          await job.remove();
        }
      }
      return median(times);
    };
    try {
      // Warm both helpers (and the page cache) before measuring.
      await startup(isolated);
      await startup(plain);
      const r = await alternate({ rounds, baseline: () => startup(plain), subject: () => startup(isolated) });
      const base = median(r.baselines);
      const subject = median(r.subjects);
      const added = subject - base;
      return [
        {
          suite: 'sandbox',
          name: `sandboxed job start to first instruction (${isolated.kind}: no network, own root, own uid, limits)`,
          value: `${Math.round(subject)} ms (+${Math.round(added)} ms)`,
          baseline: `unsandboxed child process: ${Math.round(base)} ms`,
          ...ratioFields(r),
          goal: `< ${GOAL_ADDED_MS} ms added`,
          met: added < GOAL_ADDED_MS,
        },
      ];
    } finally {
      isolated.close();
      plain.close();
    }
  },
};
