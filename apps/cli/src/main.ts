#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { agentCommands } from './commands/agent.js';
import { aiCommands } from './commands/ai.js';
import { auditCommands } from './commands/audit.js';
import { authCommands } from './commands/auth.js';
import { memberCommands } from './commands/members.js';
import { notificationCommands } from './commands/notifications.js';
import { previewCommands } from './commands/preview.js';
import { projectCommands } from './commands/projects.js';
import { repoCommands } from './commands/repo.js';
import { logCommands } from './commands/log.js';
import { statusCommands } from './commands/status.js';
import { taskCommands } from './commands/tasks.js';
import { threadCommands } from './commands/threads.js';
import { CLI_VERSION, Context, DEFAULT_SERVER, type Cli, type Io } from './context.js';
import { credentialsPath } from './credentials.js';
import { EXIT, ExitStatus } from './errors.js';
import { describeError } from './output.js';

/** Builds the `hivesync` command tree; nothing runs until it is parsed. */
export function buildProgram(cli: Cli, json = false): Command {
  const program = new Command('hivesync')
    .description(
      'The HiveSync command line: log in, manage projects and members, sync and read repository mirrors, discuss code in threads, track tasks, publish device previews, review and apply AI suggestions, follow notifications.',
    )
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .addOption(new Option('--json', 'machine-readable output: one JSON value on stdout, errors included'))
    .addOption(new Option('--server <url>', `the server (default: $HIVESYNC_SERVER, else ${DEFAULT_SERVER})`))
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => void cli.io.stdout.write(s),
      writeErr: (s) => void cli.io.stderr.write(s),
      // In --json mode the error goes to stdout as JSON instead (see run()).
      outputError: (s, write) => {
        if (!json) write(`hivesync: ${s.replace(/^error: /, '')}`);
      },
    })
    .showHelpAfterError('(run `hivesync --help` for usage)')
    .exitOverride();

  authCommands(program, cli);
  projectCommands(program, cli);
  memberCommands(program, cli);
  repoCommands(program, cli);
  logCommands(program, cli);
  threadCommands(program, cli);
  taskCommands(program, cli);
  previewCommands(program, cli);
  aiCommands(program, cli);
  notificationCommands(program, cli);
  auditCommands(program, cli);
  statusCommands(program, cli);
  agentCommands(program, cli);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and resolves to its exit code. */
export async function run(argv: string[], io: Io, options: { credentialsFile?: string } = {}): Promise<number> {
  const json = jsonRequested(argv);
  let context: Context | undefined;
  const cli: Cli = {
    io,
    context: (command) => {
      context = new Context(io, command.optsWithGlobals(), options.credentialsFile ?? credentialsPath(io.env));
      return context;
    },
  };
  const program = buildProgram(cli, json);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      if (json) {
        const message = err.code === 'commander.help' ? 'a command is required' : err.message.replace(/^error: /, '');
        io.stdout.write(`${JSON.stringify({ error: { code: 'usage_error', message } })}\n`);
      }
      return EXIT.usage;
    }
    if (err instanceof ExitStatus) return err.exitCode;
    const report = describeError(err, context?.server ?? io.env.HIVESYNC_SERVER ?? DEFAULT_SERVER);
    if (json) io.stdout.write(`${JSON.stringify(report.json)}\n`);
    else io.stderr.write(`${report.line}\n`);
    return report.exitCode;
  }
}

function jsonRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/** Runs the CLI on this process's arguments and streams; sets the exit code. */
export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
}

if (isEntryPoint()) await main();
