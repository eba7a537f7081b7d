import type { Writable } from 'node:stream';
import type { Sync, SyncStatus } from '@hivesync/core';
import { formatDuration, type Colors } from './output.js';

/** The stages a sync goes through, in order; the bar fills one step per stage. */
export const SYNC_STAGES: readonly SyncStatus[] = [
  'queued',
  'running',
  'updating_files',
  'cleaning',
  'finalizing',
  'completed',
];
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;

/** What one progress line shows. */
export interface ProgressState {
  /** What is being synced, such as the project's name. */
  label: string;
  status: SyncStatus;
  /** The furthest stage reached, for the bar (a failed sync keeps the stage it failed in). */
  stage: number;
  elapsedMs: number;
  /** The spinner frame; ignored once the sync is final. */
  frame: number;
  /** Why a sync went back to `queued`: the error of the attempt that will be retried. */
  retryAfter?: string;
}

/** One progress line, such as `⠹ demo [■■□□□] updating_files  2.4 s`. */
export function renderProgress(state: ProgressState, c: Colors): string {
  const steps = SYNC_STAGES.length - 1;
  const filled = Math.min(state.stage, steps);
  const bar = `[${'■'.repeat(filled)}${c.dim('□'.repeat(steps - filled))}]`;
  const icon =
    state.status === 'completed'
      ? c.green('✔')
      : state.status === 'failed'
        ? c.red('✖')
        : c.cyan(SPINNER[state.frame % SPINNER.length]!);
  const paint = state.status === 'completed' ? c.green : state.status === 'failed' ? c.red : c.cyan;
  const retry = state.retryAfter ? c.yellow(` (retrying after ${state.retryAfter})`) : '';
  return `${icon} ${state.label} ${bar} ${paint(state.status)}${retry}  ${c.dim(formatDuration(state.elapsedMs))}`;
}

/** One plain line per stage for a log or a pipe, such as `sync demo: updating_files (2.4 s)`. */
export function renderPlainProgress(state: ProgressState, c: Colors): string {
  const paint = state.status === 'completed' ? c.green : state.status === 'failed' ? c.red : (s: string) => s;
  const retry = state.retryAfter ? ` (retrying after ${state.retryAfter})` : '';
  return `sync ${state.label}: ${paint(state.status)}${retry} ${c.dim(`(${formatDuration(state.elapsedMs)})`)}`;
}

/**
 * The live display of `sync --wait`, on stderr. On a terminal one line is redrawn in place (a spinner, the stage bar,
 * the stage and the elapsed time); elsewhere (a pipe, a log file, TERM=dumb) a plain line is printed per change of
 * stage.
 */
export class SyncProgress {
  private readonly started: number;
  private state: ProgressState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private lastLine: string | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly c: Colors,
    private readonly label: string,
    private readonly live: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Shows a new state of the sync; a final one ends the display. */
  update(sync: Sync): void {
    const stage = Math.max(this.state?.stage ?? 0, SYNC_STAGES.indexOf(sync.status));
    const retrying = sync.status === 'queued' && sync.error !== null;
    this.state = {
      label: this.label,
      status: sync.status,
      stage: stage < 0 ? 0 : stage,
      elapsedMs: this.now() - this.started,
      frame: this.state?.frame ?? 0,
      ...(retrying && { retryAfter: sync.error!.code }),
    };
    const final = sync.status === 'completed' || sync.status === 'failed';
    if (!this.live) {
      // One line per change: the same stage seen again (the POST's answer, then the first poll) prints nothing.
      const line = renderPlainProgress({ ...this.state, elapsedMs: 0 }, this.c);
      if (line !== this.lastLine) this.stream.write(`${renderPlainProgress(this.state, this.c)}\n`);
      this.lastLine = line;
      return;
    }
    this.draw();
    if (final) this.stop();
    else this.timer ??= setInterval(() => this.tick(), FRAME_MS).unref();
  }

  /** Stops redrawing and ends the line (the sync is over, or we stopped waiting for it). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private tick(): void {
    if (!this.state) return;
    this.state = { ...this.state, frame: this.state.frame + 1, elapsedMs: this.now() - this.started };
    this.draw();
  }

  private draw(): void {
    // \r back to the start of the line, \x1b[K erases what a longer previous line left behind.
    this.stream.write(`\r${renderProgress(this.state!, this.c)}\x1b[K`);
    this.drawn = true;
  }
}
