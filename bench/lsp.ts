import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HiveSyncClient } from '../packages/sdk/src/index.js';
import { runCli } from '../tests/support/cli.js';
import { CLIENT_CAPABILITIES, startLsp } from '../tests/lsp/lsp-client.js';
import { alternate, ratioFields } from './lib/alternate.js';
import { generateRepo } from './lib/git-repos.js';
import { ROOT, startHiveSync } from './lib/processes.js';
import type { Figure, Suite } from './lib/report.js';
import { median, percentile } from './lib/stats.js';

const SUITE = 'language server';
/** Diagnostic-latency samples: each one a thread by the other user, watched by the SDK poll and by the LSP at once. */
const SAMPLES = 40;
/** The poll interval of both sides of the latency figure, in seconds. */
const POLL_SECONDS = 1;

/** The baseline server: vscode-languageserver answering initialize with no capabilities, nothing else loaded. */
function echoServer(dir: string): string {
  const file = path.join(dir, 'echo-server.mjs');
  fs.writeFileSync(
    file,
    `import { createConnection, ProposedFeatures } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'node_modules/vscode-languageserver/lib/node/main.js')).toString())};\n` +
      'const c = createConnection(ProposedFeatures.all, process.stdin, process.stdout);\n' +
      'c.onInitialize(() => ({ capabilities: {} }));\nc.listen();\n',
  );
  return file;
}

/** Milliseconds from spawning `bin` (a Node script) to its initialize response. */
async function initializeMs(bin: string, env: Record<string, string>, workspace: string): Promise<number> {
  const started = performance.now();
  const lsp = startLsp(env, {}, bin);
  await lsp.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).toString(),
    capabilities: CLIENT_CAPABILITIES,
    initializationOptions: {},
  });
  const ms = performance.now() - started;
  await lsp.stop();
  return ms;
}

/**
 * The language server (issue #19): the time from starting `hivesync-lsp` to its initialize response, against a bare
 * vscode-languageserver server's; and how long after another user creates a thread it shows as a diagnostic in an
 * open file (the server polling every second), against a direct SDK poll of the thread list at the same interval.
 */
export const lspSuite: Suite = {
  name: SUITE,
  embeddedOnly: true,
  async run({ rounds }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-lsp-'));
    const hive = await startHiveSync();
    try {
      // A small repository (a git working copy of a generated project) and two users.
      const remote = path.join(dir, 'app.git');
      await generateRepo(remote, 20);
      const workspace = path.join(dir, 'app');
      execFileSync('git', ['clone', '-q', remote, workspace]);
      const configHome = path.join(dir, 'config');
      const noAgent = path.join(dir, 'no-agent');
      fs.mkdirSync(noAgent);
      const env = { HOME: dir, XDG_CONFIG_HOME: configHome, HIVESYNC_AGENT_DIR: noAgent };
      const password = 'bench lsp password';
      const reg = await runCli(['register', '--email', 'ada@bench.test', '--name', 'Ada', '--password-stdin'], {
        server: hive.url,
        configHome,
        cwd: dir,
        stdin: password,
      });
      if (reg.code !== 0) throw new Error(`register: ${reg.err}`);
      const ada = new HiveSyncClient({ baseUrl: hive.url });
      await ada.auth.login({ email: 'ada@bench.test', password });
      const project = await ada.projects.create({ name: 'app', repo_url: remote });
      const grace = new HiveSyncClient({ baseUrl: hive.url });
      await grace.auth.register({ email: 'grace@bench.test', password, display_name: 'Grace' });
      await ada.members.add(project.id, { email: 'grace@bench.test', role: 'member' });
      const sync = await ada.repo.waitForSync((await ada.repo.sync(project.id)).sync_id);
      if (sync.status !== 'completed') throw new Error(`sync: ${JSON.stringify(sync.error)}`);

      // 1. Start to initialize response.
      const echo = echoServer(dir);
      const lspBin = path.join(ROOT, 'apps/lsp/bin/hivesync-lsp.js');
      // Process start-up is noisy on a shared machine: twice the usual rounds.
      const start = await alternate({
        rounds: 2 * rounds,
        swap: true,
        baseline: () => initializeMs(echo, env, workspace),
        subject: () => initializeMs(lspBin, env, workspace),
      });

      // 2. Diagnostic latency after Grace creates a thread.
      const file = 'src/0/0/module0.ts';
      const uri = pathToFileURL(path.join(workspace, file)).toString();
      const lsp = startLsp(env, { threadsPollSeconds: POLL_SECONDS });
      let latency: { subjects: number[]; baselines: number[] };
      try {
        await lsp.conn.sendRequest('initialize', {
          processId: process.pid,
          rootUri: pathToFileURL(workspace).toString(),
          capabilities: CLIENT_CAPABILITIES,
          initializationOptions: { serverUrl: hive.url, threadsPollSeconds: POLL_SECONDS, notifications: false },
        });
        await lsp.conn.sendNotification('initialized', {});
        await lsp.conn.sendNotification('textDocument/didOpen', {
          textDocument: {
            uri,
            languageId: 'typescript',
            version: 1,
            text: fs.readFileSync(path.join(workspace, file), 'utf8'),
          },
        });
        const deadline = Date.now() + 60_000;
        while (
          !(
            (await lsp.conn.sendRequest('workspace/executeCommand', { command: 'hivesync.status' })) as {
              project: string | null;
            }
          ).project
        ) {
          if (Date.now() > deadline) throw new Error(`the language server did not link the project: ${lsp.stderr()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        // Each sample is one thread by Grace, watched at once by the language server (its own poll timer) and by
        // the baseline, a plain SDK poll of the thread list on its own timer at the same interval. A random pause
        // before each thread keeps the thread's moment out of step with both timers (created right after a poll,
        // every thread would wait a whole interval).
        const baselineSeen = new Map<string, number>();
        let polling = true;
        const poller = (async () => {
          while (polling) {
            const tick = performance.now();
            const { threads } = await ada.threads.list(project.id, { path: file, state: 'all' });
            const at = performance.now();
            for (const t of threads) if (!baselineSeen.has(t.thread_id)) baselineSeen.set(t.thread_id, at);
            await new Promise((r) => setTimeout(r, Math.max(0, POLL_SECONDS * 1000 - (at - tick))));
          }
        })();
        const subjects: number[] = [];
        const baselines: number[] = [];
        try {
          for (let n = 0; n < Math.max(rounds, SAMPLES); n++) {
            await new Promise((r) => setTimeout(r, Math.random() * POLL_SECONDS * 1000));
            const t0 = performance.now();
            const id = (
              await grace.threads.create(project.id, { path: file, start_line: 1 + (n % 5), body: `bench thread ${n}` })
            ).thread_id;
            let lspAt: number | undefined;
            const deadline = Date.now() + 30_000;
            while (lspAt === undefined || !baselineSeen.has(id)) {
              if (Date.now() > deadline) throw new Error(`thread ${id} not seen within 30 s: ${lsp.stderr()}`);
              if (
                lspAt === undefined &&
                (lsp.seen.diagnostics.get(uri) ?? []).some((d: { code?: string }) => d.code === id)
              )
                lspAt = performance.now();
              await new Promise((r) => setTimeout(r, 5));
            }
            subjects.push(lspAt - t0);
            baselines.push(baselineSeen.get(id)! - t0);
          }
        } finally {
          polling = false;
          await poller;
        }
        latency = { subjects, baselines };
      } finally {
        await lsp.stop();
      }
      return [
        {
          suite: SUITE,
          name: 'hivesync-lsp start → initialize response',
          value: `${median(start.subjects).toFixed(0)} ms`,
          baseline: `${median(start.baselines).toFixed(0)} ms (bare vscode-languageserver server)`,
          ...ratioFields(start),
          goal: '',
          met: undefined,
        },
        {
          suite: SUITE,
          name: `thread by another user → diagnostic, p50 (both poll every ${POLL_SECONDS} s; ${latency.subjects.length} threads)`,
          value: `${percentile(latency.subjects, 50).toFixed(0)} ms`,
          baseline: `${percentile(latency.baselines, 50).toFixed(0)} ms (SDK poll of the thread list, same threads)`,
          ratio: percentile(latency.subjects, 50) / percentile(latency.baselines, 50),
          goal: '',
          met: undefined,
        },
        {
          suite: SUITE,
          name: `thread by another user → diagnostic, p99 (of ${latency.subjects.length}: about the slowest)`,
          value: `${percentile(latency.subjects, 99).toFixed(0)} ms`,
          baseline: `${percentile(latency.baselines, 99).toFixed(0)} ms (SDK poll of the thread list, same threads)`,
          ratio: percentile(latency.subjects, 99) / percentile(latency.baselines, 99),
          goal: '',
          met: undefined,
        },
      ];
    } finally {
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
