import type { Writable } from 'node:stream';
import type { AiJob } from '@hivesync/core';
import type { Context } from './context.js';
import { EXIT, ExitStatus } from './errors.js';
import { formatDuration, type Colors } from './output.js';

type JobStatus = AiJob['status'];
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;

/** One live progress line, such as `⠹ doc src/a.ts:12 running  2.4 s`. */
export function renderJobProgress(label: string, status: JobStatus, elapsedMs: number, frame: number, c: Colors) {
  const icon =
    status === 'completed' ? c.green('✔') : status === 'failed' ? c.red('✖') : c.cyan(SPINNER[frame % SPINNER.length]!);
  const paint = status === 'completed' ? c.green : status === 'failed' ? c.red : c.cyan;
  return `${icon} ${label} ${paint(status)}  ${c.dim(formatDuration(elapsedMs))}`;
}

/** One plain line per status for a log or a pipe, such as `ai doc src/a.ts:12: running (0.4 s)`. */
export function renderPlainJobProgress(label: string, status: JobStatus, elapsedMs: number, c: Colors): string {
  const paint = status === 'completed' ? c.green : status === 'failed' ? c.red : (s: string) => s;
  return `ai ${label}: ${paint(status)} ${c.dim(`(${formatDuration(elapsedMs)})`)}`;
}

/**
 * The display of an AI job being waited for, on stderr. On a terminal one line is redrawn in place (a spinner, the
 * status, the elapsed time); elsewhere (a pipe, a log file, TERM=dumb) a plain line is printed per change of status.
 */
export class JobProgress {
  private readonly started: number;
  private status: JobStatus | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly stream: Writable,
    private readonly c: Colors,
    private readonly label: string,
    private readonly live: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Shows a new state of the job; a final one ends the display. */
  update(job: AiJob): void {
    const changed = job.status !== this.status;
    this.status = job.status;
    const elapsed = this.now() - this.started;
    if (!this.live) {
      if (changed) this.stream.write(`${renderPlainJobProgress(this.label, job.status, elapsed, this.c)}\n`);
      return;
    }
    this.draw();
    if (job.status === 'completed' || job.status === 'failed') this.stop();
    else this.timer ??= setInterval(() => this.tick(), FRAME_MS).unref();
  }

  /** Stops redrawing and ends the line (the job is over, or we stopped waiting for it). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private tick(): void {
    this.frame++;
    this.draw();
  }

  private draw(): void {
    if (!this.status) return;
    const line = renderJobProgress(this.label, this.status, this.now() - this.started, this.frame, this.c);
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }
}

/** A failed job ends the command: its error on stderr (the job itself with --json), exit status 1. */
export function exitIfFailed(ctx: Context, job: AiJob): void {
  if (job.status !== 'failed') return;
  if (ctx.out.json) ctx.out.jsonLine(job);
  else {
    const error = job.error ?? { code: 'internal_error', message: 'The AI job failed.' };
    ctx.out.note(`hivesync: AI job ${job.job_id} failed: ${error.code}: ${error.message}`);
  }
  throw new ExitStatus(EXIT.api);
}
