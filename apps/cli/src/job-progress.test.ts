import { PassThrough } from 'node:stream';
import type { AiJob } from '@hivesync/core';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { JobProgress, renderJobProgress, renderPlainJobProgress } from './job-progress.js';

const plain = pc.createColors(false);

function job(status: AiJob['status']): AiJob {
  return {
    job_id: 'j1',
    project_id: 'p1',
    action: 'document_file',
    status,
    commit: 'c'.repeat(40),
    path: 'a.ts',
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    error: null,
    result: null,
    suggestions: [],
  };
}

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('job progress', () => {
  it('renders a live line and a plain one', () => {
    expect(renderJobProgress('doc a.ts', 'running', 2400, 2, plain)).toBe('⠹ doc a.ts running  2.4 s');
    expect(renderJobProgress('doc a.ts', 'completed', 2400, 2, plain)).toBe('✔ doc a.ts completed  2.4 s');
    expect(renderJobProgress('doc a.ts', 'failed', 0, 0, plain)).toBe('✖ doc a.ts failed  0.0 s');
    expect(renderPlainJobProgress('doc a.ts', 'queued', 400, plain)).toBe('ai doc a.ts: queued (0.4 s)');
  });

  it('off a terminal prints one line per status; on one redraws a line and ends it when the job is final', () => {
    let now = 0;
    const log = capture();
    const progress = new JobProgress(log.stream, plain, 'doc a.ts', false, () => now);
    progress.update(job('queued'));
    progress.update(job('queued'));
    now = 1500;
    progress.update(job('completed'));
    expect(log.text()).toBe('ai doc a.ts: queued (0.0 s)\nai doc a.ts: completed (1.5 s)\n');

    const tty = capture();
    const live = new JobProgress(tty.stream, plain, 'doc a.ts', true, () => now);
    live.update(job('running'));
    live.update(job('completed'));
    expect(tty.text()).toBe('\r⠋ doc a.ts running  0.0 s\x1b[K\r✔ doc a.ts completed  0.0 s\x1b[K\n');
  });
});
