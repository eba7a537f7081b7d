/**
 * Runs ripgrep for the search benches in a process of its own, so that the bench's process never forks while it
 * measures. A fork marks every page of the forking process copy-on-write: the searches measured right after an rg
 * started from the same process took 450–700 page faults each (a count on vue core: 3.6 ms back to back, 11–13 ms
 * after a `spawnSync('true')`, and the same after rg; an idle wait or a busy loop of the same length cost nothing).
 * A server never forks in a search's path (its programs start through the spawner process).
 *
 * Reads JSON lines on stdin, `{"cwd", "args", "limit"?, "filter"?}` (`limit`: kill rg once it printed that many
 * lines, none for all; `filter`: count only the lines that hold it), and answers each with `{"ms", "lines"}` or
 * `{"error"}`: `ms` from the spawn to rg's end, as measured here.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';

const RG = '/usr/bin/rg';

function run({ cwd, args, limit, filter }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(RG, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = 0;
    let rest = '';
    child.stdout.on('data', (chunk) => {
      if (filter === undefined) {
        for (const b of chunk) if (b === 10) lines++;
      } else {
        const text = rest + chunk.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop();
        for (const line of parts) if (line.includes(filter)) lines++;
      }
      if (limit !== undefined && lines >= limit) child.kill('SIGKILL');
    });
    child.on('error', (err) => resolve({ error: err.message }));
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      if (filter !== undefined && rest.includes(filter)) lines++;
      resolve(code === 0 || code === 1 || signal ? { ms, lines } : { error: `rg exited ${code}` });
    });
  });
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  process.stdout.write(`${JSON.stringify(await run(JSON.parse(line)))}\n`);
}
