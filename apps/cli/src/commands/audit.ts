import type { AuditEntry, AuditQuery } from '@hivesync/core';
import type { Command } from 'commander';
import { integerIn, parseSince } from '../args.js';
import { auditRow } from '../collab-format.js';
import type { Cli, Context } from '../context.js';
import { resolveProject } from '../project-ref.js';

interface AuditOptions {
  actor?: string;
  action?: string;
  project?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

const DEFAULT_LIMIT = 50;
// The server's largest page.
const PAGE_MAX = 500;

/** audit: search the audit log (instance admins). */
export function auditCommands(program: Command, cli: Cli): void {
  program
    .command('audit')
    .description('search the audit log, newest first (instance admins)')
    .option('--actor <email>', 'only what this user did (an email or a user id)')
    .option('--action <action>', 'only this action, or a family of them such as "member.*"')
    .option('--project <project>', 'only in this project (an id, or the name of one of yours)')
    .option('--since <time>', 'only since this time: 2025-01-31, 2025-01-31T12:00:00Z, or ago: 30m, 1h, 2d, 1w', (v) =>
      parseSince(v),
    )
    .option('--until <time>', 'only until this time, in the same forms as --since', (v) => parseSince(v))
    .option('--limit <n>', `at most this many entries (1 to 10000, default ${DEFAULT_LIMIT})`, integerIn(1, 10_000))
    .option('--cursor <cursor>', 'continue after an earlier answer (its next_cursor)')
    .action((opts: AuditOptions, command: Command) => audit(cli.context(command), opts));
}

async function audit(ctx: Context, opts: AuditOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const query: AuditQuery = {
    ...(opts.actor !== undefined && { actor: opts.actor }),
    ...(opts.action !== undefined && { action: opts.action }),
    ...(opts.project !== undefined && { project_id: await resolveProject(client, opts.project) }),
    ...(opts.since !== undefined && { from: opts.since }),
    ...(opts.until !== undefined && { to: opts.until }),
  };
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const entries: AuditEntry[] = [];
  let cursor = opts.cursor ?? null;
  // Page by page, each asking for exactly what is still wanted: the last page's next_cursor then continues right
  // after the last entry shown.
  do {
    const page = await client.admin.audit({
      ...query,
      ...(cursor !== null && { cursor }),
      limit: Math.min(PAGE_MAX, limit - entries.length),
    });
    entries.push(...page.entries);
    cursor = page.next_cursor;
  } while (cursor !== null && entries.length < limit);

  ctx.out.result({ entries, next_cursor: cursor }, () => {
    if (entries.length === 0) {
      ctx.out.line('No audit entries match.');
      return;
    }
    ctx.out.table(
      ['TIME (UTC)', 'ACTOR', 'ACTION', 'TARGET', 'PROJECT', 'IP', 'DETAILS'],
      entries.map((e) => auditRow(e, ctx.out.c)),
    );
    if (cursor !== null) {
      ctx.out.note(`hivesync: there are more entries: add --cursor ${cursor} for the next ones (or raise --limit)`);
    }
  });
}
