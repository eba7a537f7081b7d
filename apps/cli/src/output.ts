import type { Writable } from 'node:stream';
import type { Notification } from '@hivesync/core';
import { HiveSyncError } from '@hivesync/sdk';
import pc from 'picocolors';
import type { Io } from './context.js';
import { CliError, EXIT } from './errors.js';

/** The picocolors functions, enabled or not. */
export type Colors = ReturnType<typeof pc.createColors>;

/** A table cell: plain text, or text with a style applied after padding (so colors never skew the columns). */
export type Cell = string | { text: string; style: (s: string) => string };

/** Whether to color a stream: never with NO_COLOR, always with FORCE_COLOR, else only on a terminal. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Human or --json output: results on stdout, notes and errors on stderr. */
export class Output {
  /** Colors for stdout. */
  readonly c: Colors;
  /** Colors for stderr. */
  readonly ec: Colors;

  constructor(
    private readonly io: Io,
    readonly json: boolean,
  ) {
    this.c = pc.createColors(!json && colorEnabled(io.stdout, io.env));
    this.ec = pc.createColors(colorEnabled(io.stderr, io.env));
  }

  /** Prints `value` as one line of JSON in --json mode, else runs `human`. */
  result(value: unknown, human: () => void): void {
    if (this.json) this.jsonLine(value);
    else human();
  }

  /** One line of JSON on stdout. */
  jsonLine(value: unknown): void {
    write(this.io.stdout, `${JSON.stringify(value)}\n`);
  }

  /** A line on stdout. */
  line(text = ''): void {
    write(this.io.stdout, `${text}\n`);
  }

  /** Bytes on stdout, exactly as given (no newline, no decoding). */
  bytes(data: Uint8Array): void {
    this.io.stdout.write(data);
  }

  /** A table on stdout. */
  table(headers: string[], rows: Cell[][]): void {
    this.line(formatTable(headers, rows, this.c));
  }

  /** A note for a person on stderr (never mixed with --json output). */
  note(text: string): void {
    write(this.io.stderr, `${text}\n`);
  }
}

function write(stream: Writable, text: string): void {
  stream.write(text);
}

/** Aligns rows under headers, two spaces apart; the last column is not padded. */
export function formatTable(headers: string[], rows: Cell[][], c: Colors): string {
  const text = (cell: Cell | undefined) => (cell === undefined ? '' : typeof cell === 'string' ? cell : cell.text);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const render = (cells: Cell[], header: boolean) =>
    widths
      .map((w, i) => {
        const cell = cells[i];
        const raw = text(cell);
        const padded = i === widths.length - 1 ? raw : raw.padEnd(w);
        if (header) return c.dim(padded);
        return typeof cell === 'object' ? cell.style(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [render(headers, true), ...rows.map((r) => render(r, false))].join('\n');
}

/** A time for people: relative when recent ("5 min ago"), else the date. */
export function formatTime(iso: string | null, now = Date.now()): string {
  if (iso === null) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const s = Math.round((now - at) / 1000);
  if (s < 0) return iso.slice(0, 10);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 7 * 86_400) return `${Math.floor(s / 86_400)} d ago`;
  return iso.slice(0, 10);
}

/** `1 file`, `2 files`: a count with its noun, plural unless the count is exactly one (`many` for irregular nouns). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const BYTE_UNITS = ['KB', 'MB', 'GB', 'TB'];

/**
 * A size for people, in decimal units: "1 byte", "999 bytes", "1.0 KB" (1,000 bytes), "4.9 KB", "20 KB", "1.2 MB".
 * Every size the CLI prints goes through here, so that one size never reads two ways.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return plural(bytes, 'byte');
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const shown = value < 10 ? value.toFixed(1) : String(Math.round(value));
  // 999.6 KB rounds to 1000: that is the next unit.
  if (shown === '1000' && unit < BYTE_UNITS.length - 1) return `1.0 ${BYTE_UNITS[unit + 1]}`;
  return `${shown} ${BYTE_UNITS[unit]}`;
}

/** The first 8 characters of an id, as tables show it; any unique prefix of 8 or more is taken back (id-ref.ts). */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A duration for people: "0.4 s", "12.3 s", "2 min 05 s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * One line per notification: unread marker, when, type, project (by name), and what it says, with people named
 * (`by=Bob`, from the payload's `by_name`) and ids cut short; an id stands in only where the payload has no name.
 */
export function formatNotification(n: Notification, c: Colors, now = Date.now()): string {
  const marker = n.read_at === null ? c.cyan('●') : ' ';
  const summary = typeof n.payload.message === 'string' ? n.payload.message : describePayload(n.payload);
  const projectName = n.payload.project_name;
  const project =
    typeof projectName === 'string'
      ? c.dim(` [${projectName}]`)
      : n.project_id
        ? c.dim(` [project ${shortId(n.project_id)}]`)
        : '';
  const time = formatTime(n.created_at, now).padEnd(10);
  return `${marker} ${c.dim(time)}  ${c.bold(n.type)}${project}  ${truncate(summary, 120)}`;
}

const UUID_VALUE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Ids a person can type back short (`hivesync threads show 1f0c9a2b`), and the fields that name a user.
const SHORT_ID_FIELDS = new Set(['thread_id', 'suggestion_id', 'job_id', 'preview_id', 'sync_id']);
const USER_FIELDS = new Set(['by', 'added_by', 'author_id', 'user_id', 'requested_by', 'assignee_id', 'created_by']);

/** Where the server puts the name of the user a field holds: `by` → `by_name`, `author_id` → `author_name`. */
function nameField(field: string): string {
  return `${field.replace(/_id$/, '')}_name`;
}

/** `key=value` pairs of a payload: the project left out (shown apart), users by name, ids short. */
function describePayload(payload: Record<string, unknown>): string {
  const named = (field: string) => typeof payload[nameField(field)] === 'string';
  // A name the server added beside an id is shown in the id's place, not again on its own.
  const inPlace = new Set(Object.keys(payload).filter(named).map(nameField));
  return Object.entries(payload)
    .filter(([key]) => key !== 'project_id' && key !== 'project_name' && !inPlace.has(key))
    .map(([key, value]) => {
      if (named(key)) return `${key.replace(/_id$/, '')}=${payload[nameField(key)] as string}`;
      if (typeof value !== 'string') return `${key}=${JSON.stringify(value)}`;
      const short = UUID_VALUE.test(value) && (SHORT_ID_FIELDS.has(key) || USER_FIELDS.has(key));
      return `${key}=${short ? shortId(value) : value}`;
    })
    .join(' ');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** How a failure is reported: the exit code, the stderr line, and the --json envelope for stdout. */
export interface ErrorReport {
  exitCode: number;
  line: string;
  json: { error: { code: string; message: string; [key: string]: unknown } };
}

/** Describes any error the CLI can end with. `server` names the server in network errors. */
export function describeError(err: unknown, server: string): ErrorReport {
  if (err instanceof HiveSyncError) {
    if (err.code === 'network_error') {
      const message = `cannot reach the server at ${server}: is it running? (npm start)`;
      return {
        exitCode: EXIT.network,
        line: `hivesync: ${message}`,
        json: { error: { code: 'network_error', message, status: 0, retryable: true, details: err.details ?? {} } },
      };
    }
    const request = err.requestId ? ` (request ${shortRequestId(err.requestId)})` : '';
    return {
      exitCode: err.status === 401 ? EXIT.auth : EXIT.api,
      line: `hivesync: ${err.code}: ${err.message}${request}`,
      json: {
        error: {
          code: err.code,
          message: err.message,
          status: err.status,
          request_id: err.requestId ?? null,
          retryable: err.retryable,
          ...(err.details && { details: err.details }),
          ...(err.retryAfter !== undefined && { retry_after: err.retryAfter }),
        },
      },
    };
  }
  if (err instanceof CliError) {
    return {
      exitCode: err.exitCode,
      line: `hivesync: ${err.message}`,
      json: { error: { code: err.code, message: err.message } },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.api, line: `hivesync: ${message}`, json: { error: { code: 'cli_error', message } } };
}

function shortRequestId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
