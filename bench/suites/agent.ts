import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HiveSyncClient } from '@hivesync/sdk';
import { startCountingProxy } from '../../packages/agent/src/test/counting-proxy.js';
import { ratioFields, summarize } from '../lib/alternate.js';
import { ROOT, startHiveSync, startProcess } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, percentile } from '../lib/stats.js';

const PLUGINS = 10;
const PASSWORD = 'bench password 1';
const CALLS_PER_ROUND = 200;
const CLI = path.join(ROOT, 'apps/cli/dist/main.js');

/**
 * Proxy Mode (issue #17): ten plugin stand-ins (the SDK) polling notifications and following the event stream
 * through one `hivesync agent`, against the same ten going direct, counted by a proxy in front of the server; and
 * the latency a proxied call adds, p50 and p99, against direct calls in alternating rounds.
 */
export const agentProxy: Suite = {
  name: 'agent',
  embeddedOnly: true,
  async run({ seconds, rounds, env, label }): Promise<Figure[]> {
    const hive = await startHiveSync(env);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-agent-'));
    const proxy = await startCountingProxy(hive.url);
    const cliEnv = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
    const agents: { stop: () => Promise<void> }[] = [];
    try {
      const email = 'bench-agent@example.test';
      // Not execFileSync: the counting proxy runs in this process and must answer meanwhile.
      const cli = (args: string[]) =>
        new Promise<void>((resolve, reject) => {
          const child = execFile(process.execPath, [CLI, ...args], { env: cliEnv }, (err, _out, stderr) =>
            err ? reject(new Error(`hivesync ${args[0]}: ${stderr}`)) : resolve(),
          );
          child.stdin!.end(`${PASSWORD}\n`);
        });
      await cli(['register', '--email', email, '--password-stdin', '--server', proxy.url]);
      await cli(['login', '--email', email, '--password-stdin', '--server', hive.url]);
      // Agent A forwards through the counting proxy (what reaches the server); agent B straight to the server, for
      // the latency figures, so that both sides of that ratio skip the proxy.
      const dirA = path.join(home, 'agent-a');
      const dirB = path.join(home, 'agent-b');
      const ready = /listening on (http:\/\/\S+)/;
      for (const [dir, server] of [
        [dirA, proxy.url],
        [dirB, hive.url],
      ] as const) {
        agents.push(
          await startProcess([CLI, 'agent', '--server', server], { ...cliEnv, HIVESYNC_AGENT_DIR: dir }, ready),
        );
      }

      // One login shared by every stand-in (the server limits logins per address); no refresh token, so that no
      // stand-in rotates it under another.
      const session = await new HiveSyncClient({ baseUrl: hive.url }).auth.login({ email, password: PASSWORD });
      const plugin = async (mode: 'auto' | 'direct', baseUrl: string, dir: string) =>
        new HiveSyncClient({ baseUrl, client: 'vscode', mode, agent: { dir }, accessToken: session.access_token });

      // Polling and streams: ten plugins, through the agent and then direct, each polling once a second (far more
      // often than the interval the server asks for) for `seconds`, with an event stream open each.
      const pollRun = async (mode: 'auto' | 'direct') => {
        const plugins = await Promise.all(Array.from({ length: PLUGINS }, () => plugin(mode, proxy.url, dirA)));
        const stop = new AbortController();
        const streams = plugins.map((c) => c.events.stream({ signal: stop.signal, onNotification: () => undefined }));
        await new Promise((r) => setTimeout(r, 1000));
        // The interval the server asks this user to poll at.
        const asked = await fetch(`${hive.url}/api/v1/notifications`, {
          headers: { authorization: `Bearer ${plugins[0]!.tokens.accessToken}` },
        });
        const interval = Number(asked.headers.get('x-poll-interval'));
        const from = proxy.seen.length;
        let maxStreams = 0;
        const deadline = Date.now() + seconds * 1000;
        await Promise.all(
          plugins.map(async (c, i) => {
            await new Promise((r) => setTimeout(r, (1000 * i) / PLUGINS));
            while (Date.now() < deadline) {
              await c.notifications.list();
              maxStreams = Math.max(maxStreams, proxy.openStreams());
              await new Promise((r) => setTimeout(r, 1000));
            }
          }),
        );
        const polls = proxy.seen.slice(from).filter((s) => s.path.startsWith('/api/v1/notifications')).length;
        stop.abort();
        await Promise.all(streams);
        if (mode === 'auto' && !plugins.every((c) => c.route === 'agent'))
          throw new Error('a plugin did not use the agent');
        return { polls, streams: maxStreams, interval };
      };
      // Direct first: the agent keeps its upstream stream open for a while after its last plugin leaves.
      const direct = await pollRun('direct');
      const viaAgent = await pollRun('auto');
      const intervals = Math.max(1, Math.ceil(seconds / viaAgent.interval));

      // Latency: the same GET, through agent B (agent mode) and direct, alternating rounds of sequential calls.
      const straight = await plugin('direct', hive.url, dirB);
      const agentClient = new HiveSyncClient({ baseUrl: hive.url, mode: 'agent', agent: { dir: dirB } });
      const sample = async (c: HiveSyncClient) => {
        const times: number[] = [];
        for (let i = 0; i < CALLS_PER_ROUND; i++) {
          const started = performance.now();
          await c.projects.list();
          times.push(performance.now() - started);
        }
        return { p50: percentile(times, 50), p99: percentile(times, 99) };
      };
      await sample(straight);
      await sample(agentClient);
      const base: { p50: number; p99: number }[] = [];
      const subj: { p50: number; p99: number }[] = [];
      for (let round = 0; round < rounds; round++) {
        base.push(await sample(straight));
        subj.push(await sample(agentClient));
      }
      if (agentClient.route !== 'agent') throw new Error('the latency client did not use the agent');
      const p50 = summarize(
        base.map((b) => b.p50),
        subj.map((s) => s.p50),
      );
      const p99 = summarize(
        base.map((b) => b.p99),
        subj.map((s) => s.p99),
      );
      const f = (v: number) => `${Math.round(v * 100) / 100} ms`;

      return [
        {
          suite: 'agent',
          name: `10 plugins polling and streaming through one agent (${label})`,
          value: `server got ${viaAgent.polls} notification polls in ${seconds} s (poll interval ${viaAgent.interval} s) and ${viaAgent.streams} event stream`,
          baseline: `the same 10 plugins direct: ${direct.polls} polls, ${direct.streams} event streams`,
          ratio: direct.polls === 0 ? 0 : viaAgent.polls / direct.polls,
          goal: '1 event stream and ≤ 1 server poll per poll interval',
          met: viaAgent.streams === 1 && viaAgent.polls <= intervals,
        },
        {
          suite: 'agent',
          name: `added latency of a proxied GET, p50 (${label})`,
          value: `through the agent: ${f(median(subj.map((s) => s.p50)))} (median of ${rounds} rounds of ${CALLS_PER_ROUND} calls)`,
          baseline: `direct: ${f(median(base.map((b) => b.p50)))}`,
          ...ratioFields(p50),
          goal: 'none set; for comparison',
          met: undefined,
        },
        {
          suite: 'agent',
          name: `added latency of a proxied GET, p99 (${label})`,
          value: `through the agent: ${f(median(subj.map((s) => s.p99)))}`,
          baseline: `direct: ${f(median(base.map((b) => b.p99)))}`,
          ...ratioFields(p99),
          goal: 'none set; for comparison',
          met: undefined,
        },
      ];
    } finally {
      for (const a of agents) await a.stop();
      await proxy.close();
      await hive.stop();
      fs.rmSync(home, { recursive: true, force: true });
    }
  },
};
