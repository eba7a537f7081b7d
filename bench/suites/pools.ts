import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../apps/server/src/config.js';
import { QUEUE_SCHEMA } from '../../apps/server/src/infra/queue.js';
import { createLogger } from '../../apps/server/src/infra/logger.js';
import { startRuntime } from '../../apps/server/src/runtime.js';
import type { Figure, Suite } from '../lib/report.js';
import { median } from '../lib/stats.js';

const FREE_JOBS = 1000;
/** The no-op queue fetches 250 jobs at a time: one slot's turn is one such batch. */
const BATCH = 250;

/**
 * Priority under load: 1,000 `free` jobs wait (the worker drained), one `pro` job is queued after them, the worker
 * resumes. Measured: where the pro job starts among the 1,001 (goal: within the first batch, i.e. one slot's
 * turnaround), in several rounds of a fresh queue.
 */
export const pools: Suite = {
  name: 'pools',
  embeddedOnly: true,
  async run({ rounds }): Promise<Figure[]> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-pools-'));
    const config = loadConfig({ HIVESYNC_DATA_DIR: dataDir, HIVESYNC_PORT: '0', HIVESYNC_LOG_LEVEL: 'silent' }, {});
    const runtime = await startRuntime(config, { logger: createLogger('silent'), listen: false });
    const ranks: number[] = [];
    const delays: number[] = [];
    try {
      const { queue, db } = runtime.infra;
      const runner = runtime.runner!;
      for (let round = 0; round < rounds; round++) {
        await runner.drain();
        const tag = `r${round}`;
        await queue.sendMany(
          'system-noop',
          Array.from({ length: FREE_JOBS }, (_, i) => ({ probe: `${tag}-free-${i}`, plan: 'free' })),
        );
        await queue.send('system-noop', { probe: `${tag}-pro`, plan: 'pro' });
        await runner.resume();
        const done = async () => {
          const { rows } = await db.sql.executeSql(
            `select count(*)::int as n from ${QUEUE_SCHEMA}.job where name = 'system-noop' and data->>'probe' like $1 and state = 'completed'`,
            [`${tag}-%`],
          );
          return Number(rows[0]?.n) >= FREE_JOBS + 1;
        };
        const deadline = Date.now() + 120_000;
        while (!(await done())) {
          if (Date.now() > deadline) throw new Error('the jobs did not complete within 2 minutes');
          await new Promise((r) => setTimeout(r, 100));
        }
        const { rows } = await db.sql.executeSql(
          `select data->>'probe' as probe, extract(epoch from started_on) * 1000 as started
             from ${QUEUE_SCHEMA}.job where name = 'system-noop' and data->>'probe' like $1
            order by started_on, id`,
          [`${tag}-%`],
        );
        const first = Number(rows[0]!.started);
        const pro = Number(rows.find((r) => String(r.probe) === `${tag}-pro`)!.started);
        // Jobs of one fetch share a start time: the rank is how many started strictly before the pro job.
        ranks.push(rows.filter((r) => Number(r.started) < pro).length);
        delays.push(pro - first);
      }
      const rank = median(ranks);
      return [
        {
          suite: 'pools',
          name: `a pro job queued behind ${FREE_JOBS} free jobs: its start among them (median of ${rounds} rounds)`,
          value: `${rank === 0 ? 'in the first fetch' : `after ${rank} jobs`} (worst: after ${Math.max(...ranks)}), ${Math.round(median(delays))} ms after the first job started`,
          baseline: `one slot's turnaround: a batch of ${BATCH} jobs`,
          ratio: (rank + 1) / BATCH,
          goal: `within the first batch (fewer than ${BATCH} jobs before it)`,
          met: Math.max(...ranks) < BATCH,
        },
      ];
    } finally {
      await runtime.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
