#!/usr/bin/env node
import v8 from 'node:v8';
import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './infra/data-dir-lock.js';
import { createLogger } from './infra/logger.js';
import { openDatabase } from './infra/db.js';
import { startRuntime } from './runtime.js';

const USAGE = `Usage: hivesync-server [start|api|worker|migrate]

  start    run what HIVESYNC_ROLE says (default: the API and the workers in one process)
  api      run only the API (needs DATABASE_URL)
  worker   run only the workers (needs DATABASE_URL); --pools cpu,gpu (or cpu:4,gpu:1) names the pools it serves
  migrate  apply database migrations and exit

Settings come from the environment; see docs/CONFIGURATION.md.`;

/**
 * V8 lets the old generation grow to twice what the last full collection kept, not up to four times: a search that
 * pages through 10,000 matches at a time promotes each page before it is dropped, and on a 1 GB tree the process
 * peaked 50–100 MB higher on that garbage (docs/CONFIGURATION.md). It is read at each collection, so setting it here
 * holds for every way the server starts (`NODE_OPTIONS` does not take it); the search threads share it.
 */
const SERVER_V8_FLAGS = '--heap-growing-percent=100';
v8.setFlagsFromString(SERVER_V8_FLAGS);

/** `hivesync-server start|api|worker|migrate`. */
async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (!['start', 'api', 'worker', 'migrate'].includes(command)) {
    console.error(`hivesync-server: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  // `worker --pools cpu,gpu` (or cpu:4,gpu:1): the pools this worker serves, as HIVESYNC_WORKER_POOLS.
  const poolsAt = argv.indexOf('--pools');
  if (poolsAt !== -1 && (command !== 'worker' || argv[poolsAt + 1] === undefined)) {
    console.error(`hivesync-server: --pools goes with "worker" and names pools (cpu,gpu)\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig({
    ...(command === 'api' || command === 'worker' ? { HIVESYNC_ROLE: command } : {}),
    ...(poolsAt !== -1 && { HIVESYNC_WORKER_POOLS: argv[poolsAt + 1] }),
  });
  const logger = createLogger(config.logLevel);

  if (command === 'migrate') {
    const db = await openDatabase({ ...config.database, dataDir: config.dataDir }, logger);
    try {
      await db.migrate();
      console.log(`migrations applied to ${db.description}`);
    } finally {
      await db.close();
    }
    return 0;
  }

  const runtime = await startRuntime(config, { logger });
  const lines = [
    `HiveSync ${config.version} (${config.role === 'all' ? 'API + workers' : config.role})`,
    ...(runtime.url ? [`url: ${runtime.url.replace('0.0.0.0', '127.0.0.1')}`, `api docs: ${runtime.url}/docs`] : []),
    `data dir: ${config.dataDir}`,
    ...runtime.backends,
  ];
  console.log(lines.join('\n'));

  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        console.error(`${signal} again: exiting now`);
        process.exit(1);
      }
      console.log(`${signal}: shutting down (running jobs get ${config.jobs.shutdownTimeoutMs} ms to finish)`);
      runtime
        .stop()
        .then(resolve)
        .catch((err: Error) => {
          console.error(`shutdown failed: ${err.message}`);
          process.exit(1);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.log('stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(err.message);
    } else if (err instanceof DataDirLockedError) {
      console.error(`hivesync-server: ${err.message}`);
    } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `hivesync-server: the port is already in use (${(err as Error).message}); set HIVESYNC_PORT to another one.`,
      );
    } else {
      console.error(`hivesync-server: could not start: ${(err as Error).message}`);
    }
    process.exit(1);
  },
);
