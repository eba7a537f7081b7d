import path from 'node:path';
import { discoverFromFile, type AgentHealth, type LocalCheck, type LocalHealth } from '@hivesync/sdk';
import { Option, type Command } from 'commander';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT, ExitStatus, usageError } from '../errors.js';

/** `hivesync agent`: the local agent (Proxy Mode) in the foreground, and `status`, `stop`, `doctor`. */
export function agentCommands(program: Command, cli: Cli): void {
  const agent = program
    .command('agent')
    .description(
      'the local agent (Proxy Mode): one session, one event stream and one poll for every editor plugin on this machine',
    );
  agent
    .command('start', { isDefault: true })
    .description('run the agent in the foreground with your `hivesync login` session, until Ctrl-C')
    .addOption(new Option('--port <port>', 'the port on 127.0.0.1 (default: any free port)'))
    .action((opts: { port?: string }, command: Command) => start(cli.context(command), opts));
  agent
    .command('status')
    .description('whether an agent is running, where, for which server and user; exit 1 when none is')
    .action((_opts: unknown, command: Command) => status(cli.context(command)));
  agent
    .command('stop')
    .description('stop the running agent (it removes its discovery file)')
    .action((_opts: unknown, command: Command) => stop(cli.context(command)));
  agent
    .command('doctor')
    .description(
      'the health script: server reachable and compatible, server health, session, git, mapped folders (disk, rights); exit 1 on a failure',
    )
    .action((_opts: unknown, command: Command) => doctor(cli.context(command)));
}

/** The agent directory of this CLI's environment. */
function dirOf(ctx: Context): string {
  const dir = ctx.io.env.HIVESYNC_AGENT_DIR;
  return dir && path.isAbsolute(dir) ? dir : path.join(ctx.home, '.hivesync');
}

async function start(ctx: Context, opts: { port?: string }): Promise<void> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('--port must be a port number');
  // Loaded here only: every other command starts without Fastify.
  const { startAgent } = await import('@hivesync/agent');
  const creds = await ctx.credentials();
  const agent = await startAgent({
    serverUrl: ctx.server,
    dir: dirOf(ctx),
    port,
    tokens: creds ? { accessToken: creds.access_token, refreshToken: creds.refresh_token } : undefined,
    // The CLI and the agent share one session: refreshes go under the CLI's lock and back into its credentials.
    onTokens: creds ? (tokens) => ctx.storeTokens(tokens) : undefined,
    refreshLock: creds ? (refresh, client) => ctx.lockedRefresh(client, refresh) : undefined,
    userAgent: 'hivesync-cli',
  });
  if (!agent.session.signedIn) {
    await agent.stop();
    throw new CliError('not_logged_in', `not logged in to ${ctx.server}: run \`hivesync login\` first`, EXIT.auth);
  }
  const stopOnSignal = () => void agent.stop();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const { secrets } = agent;
  const info = {
    url: agent.url,
    pid: process.pid,
    server: ctx.server,
    user_id: agent.session.userId,
    discovery_file: agent.discoveryFile,
    secret_store: secrets.kind,
    secret_store_where: secrets.where,
    ...(secrets.fallbackReason !== undefined && { keychain_error: secrets.fallbackReason }),
  };
  ctx.out.result(info, () => {
    const { c } = ctx.out;
    ctx.out.line(`HiveSync agent listening on ${c.bold(agent.url)} (pid ${process.pid})`);
    ctx.out.line(`${c.dim('server   ')} ${ctx.server}${creds?.email ? ` as ${creds.email}` : ''}`);
    ctx.out.line(`${c.dim('discovery')} ${agent.discoveryFile}`);
    ctx.out.line(
      secrets.kind === 'keychain'
        ? `${c.dim('secrets  ')} ${secrets.where}`
        : `${c.dim('secrets  ')} ${c.yellow(`${secrets.where}: no OS keychain answered (${secrets.fallbackReason ?? 'unknown'})`)}`,
    );
    ctx.out.line(c.dim('Editors and `hivesync` commands on this machine now go through it. Ctrl-C stops it.'));
  });
  try {
    await agent.stopped;
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
  }
  if (!ctx.out.json) ctx.out.line('HiveSync agent stopped.');
}

/** The running agent's endpoint and health, or undefined when none answers. */
async function find(ctx: Context): Promise<{ url: string; token: string; health: AgentHealth } | undefined> {
  const endpoint = await discoverFromFile(dirOf(ctx));
  if (!endpoint) return undefined;
  try {
    const res = await fetch(`${endpoint.url}/health`, {
      headers: { authorization: `Bearer ${endpoint.token}` },
      signal: AbortSignal.timeout(2000),
    });
    if (res.status !== 200) return undefined;
    return { ...endpoint, health: (await res.json()) as AgentHealth };
  } catch {
    return undefined;
  }
}

async function status(ctx: Context): Promise<void> {
  const found = await find(ctx);
  if (!found) {
    ctx.out.result({ running: false }, () =>
      ctx.out.line('No HiveSync agent is running (start one with `hivesync agent`).'),
    );
    throw new ExitStatus(EXIT.api);
  }
  const h = found.health;
  ctx.out.result({ running: true, url: found.url, ...h }, () => {
    const { c } = ctx.out;
    ctx.out.line(`HiveSync agent ${h.version} running on ${c.bold(found.url)} (pid ${h.pid}, since ${h.started_at})`);
    ctx.out.line(`${c.dim('server   ')} ${h.server_url}${h.signed_in ? '' : c.yellow(' (not signed in)')}`);
    ctx.out.line(
      `${c.dim('secrets  ')} ${h.secret_store === 'keychain' ? 'OS keychain' : 'a 0600 file (no keychain)'}`,
    );
    ctx.out.line(
      `${c.dim('events   ')} ${h.event_subscribers} plugin stream(s), upstream ${h.upstream_stream ? 'open' : 'closed'}`,
    );
    if (h.server_url !== ctx.server) {
      ctx.out.line(c.yellow(`It serves ${h.server_url}, not ${ctx.server}: commands for ${ctx.server} go direct.`));
    }
  });
}

async function stop(ctx: Context): Promise<void> {
  const found = await find(ctx);
  if (!found) {
    ctx.out.result({ stopped: false, running: false }, () => ctx.out.line('No HiveSync agent is running.'));
    return;
  }
  await fetch(`${found.url}/shutdown`, { method: 'POST', headers: { authorization: `Bearer ${found.token}` } });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await find(ctx))) await new Promise((r) => setTimeout(r, 100));
  if (await find(ctx))
    throw new CliError('agent_still_running', `the agent (pid ${found.health.pid}) did not stop`, EXIT.api);
  ctx.out.result({ stopped: true, pid: found.health.pid }, () =>
    ctx.out.line(`Stopped the HiveSync agent (pid ${found.health.pid}).`),
  );
}

async function doctor(ctx: Context): Promise<void> {
  const found = await find(ctx);
  let report: LocalHealth;
  if (found) {
    const res = await fetch(`${found.url}/health/local`, { headers: { authorization: `Bearer ${found.token}` } });
    report = (await res.json()) as LocalHealth;
  } else {
    // No agent: the same checks from here, with the CLI's own session.
    const { MappingStore, MAPPINGS_FILE, runLocalHealth } = await import('@hivesync/agent');
    const creds = await ctx.credentials();
    report = await runLocalHealth({
      serverUrl: ctx.server,
      client: ctx.client(creds, { mode: 'direct' }),
      signedIn: creds !== undefined,
      mappings: await new MappingStore(path.join(dirOf(ctx), MAPPINGS_FILE)).list(),
    });
  }
  ctx.out.result({ ...report, via: found ? 'agent' : 'cli' }, () => {
    const { c } = ctx.out;
    const paint = (s: LocalCheck['status']) => (s === 'ok' ? c.green : s === 'warn' ? c.yellow : c.red);
    for (const check of report.checks) {
      const where = check.folder ? ` ${c.dim(check.folder)}` : '';
      ctx.out.line(`${paint(check.status)(check.status.padEnd(4))} ${check.name}${where}: ${check.message}`);
      if (check.fix) ctx.out.line(`     ${c.dim('fix:')} ${check.fix}`);
    }
    ctx.out.line();
    ctx.out.line(
      `${paint(report.status)(report.status)}${found ? '' : c.dim(' (no agent running: checked from the CLI)')}`,
    );
  });
  if (report.status === 'fail') throw new ExitStatus(EXIT.api);
}
