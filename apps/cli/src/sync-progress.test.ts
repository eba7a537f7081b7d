import { PassThrough } from 'node:stream';
import type { Sync, SyncStatus } from '@hivesync/core';
import pc from 'picocolors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPlainProgress, renderProgress, SyncProgress } from './sync-progress.js';

const plain = pc.createColors(false);
const colored = pc.createColors(true);

function sync(status: SyncStatus, extra: Partial<Sync> = {}): Sync {
  return {
    sync_id: 's1',
    project_id: 'p1',
    status,
    trigger: 'manual',
    commit: null,
    attempts: 1,
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    duration_ms: null,
    error: null,
    ...extra,
  };
}

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('renderProgress', () => {
  it('shows a spinner, the stage bar, the stage and the elapsed time', () => {
    const state = { label: 'demo', status: 'updating_files' as const, stage: 2, elapsedMs: 2400, frame: 2 };
    expect(renderProgress(state, plain)).toBe('⠹ demo [■■□□□] updating_files  2.4 s');
    expect(renderProgress({ ...state, status: 'completed', stage: 5 }, plain)).toBe('✔ demo [■■■■■] completed  2.4 s');
    expect(renderProgress({ ...state, status: 'failed' }, plain)).toBe('✖ demo [■■□□□] failed  2.4 s');
    expect(renderProgress({ ...state, status: 'failed' }, colored)).toContain(colored.red('failed'));
  });

  it('says why a sync went back to the queue', () => {
    const state = { label: 'demo', status: 'queued' as const, stage: 1, elapsedMs: 61_000, frame: 0 };
    expect(renderProgress({ ...state, retryAfter: 'repo_network_error' }, plain)).toBe(
      '⠋ demo [■□□□□] queued (retrying after repo_network_error)  1 min 01 s',
    );
    expect(renderPlainProgress({ ...state, retryAfter: 'timeout' }, plain)).toBe(
      'sync demo: queued (retrying after timeout) (1 min 01 s)',
    );
  });
});

describe('SyncProgress', () => {
  it('off a terminal: one plain line per change of stage', () => {
    let now = 1000;
    const out = capture();
    const progress = new SyncProgress(out.stream, plain, 'demo', false, () => now);

    progress.update(sync('queued', { attempts: 0 }));
    progress.update(sync('queued', { attempts: 0 })); // the first poll repeats the POST's answer
    now += 300;
    progress.update(sync('running'));
    now += 1200;
    progress.update(sync('completed'));

    expect(out.text()).toBe(
      ['sync demo: queued (0.0 s)', 'sync demo: running (0.3 s)', 'sync demo: completed (1.5 s)', ''].join('\n'),
    );
  });

  it('on a terminal: redraws one line in place while waiting, and ends it with a newline', () => {
    vi.useFakeTimers();
    let now = 0;
    const out = capture();
    const progress = new SyncProgress(out.stream, plain, 'demo', true, () => now);

    progress.update(sync('running'));
    now = 250;
    vi.advanceTimersByTime(250); // two spinner frames
    progress.update(sync('failed', { error: { code: 'repo_auth_failed', message: 'no' } }));
    vi.advanceTimersByTime(1000); // stopped: nothing more is drawn

    const frames = out.text().split('\r').slice(1);
    expect(frames).toEqual([
      '⠋ demo [■□□□□] running  0.0 s\x1b[K',
      '⠙ demo [■□□□□] running  0.3 s\x1b[K',
      '⠹ demo [■□□□□] running  0.3 s\x1b[K',
      '✖ demo [■□□□□] failed  0.3 s\x1b[K\n',
    ]);
  });

  it('stop() ends a half-drawn line, once', () => {
    const out = capture();
    const progress = new SyncProgress(out.stream, plain, 'demo', true);
    progress.update(sync('queued'));
    progress.stop();
    progress.stop();
    expect(out.text().endsWith('\x1b[K\n')).toBe(true);
    expect(out.text().match(/\n/g)).toHaveLength(1);
  });
});
