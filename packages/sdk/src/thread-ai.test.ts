import type { AdminProject, AiJob, AiJobLog } from '@hivesync/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { HiveSyncClient } from './index.js';
import { startServer } from './test/server.js';

/** A real HTTP server on 127.0.0.1 that records each request and answers 200 with `{}` (202 for POSTs). */
async function recorder(): Promise<{ url: string; received: [string, string, unknown][] }> {
  const received: [string, string, unknown][] = [];
  const server = await startServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      received.push([req.method ?? '', req.url ?? '', text ? JSON.parse(text) : undefined]);
      res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { url: server.url, received };
}

describe('thread questions, project plans and AI logs', () => {
  it('sends each call to its endpoint', async () => {
    const server = await recorder();
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    await client.threads.ask('p 1', 't1', 'explain');
    await client.threads.ask('p1', 't/2', 'suggest_fix');
    await client.admin.setProjectPlan('p1', 'pro');
    await client.admin.aiJobLog('j1');
    expect(server.received).toEqual([
      ['POST', '/api/v1/projects/p%201/threads/t1/ai', { action: 'explain' }],
      ['POST', '/api/v1/projects/p1/threads/t%2F2/ai', { action: 'suggest_fix' }],
      ['PATCH', '/api/v1/admin/projects/p1', { plan: 'pro' }],
      ['GET', '/api/v1/admin/ai-jobs/j1/log', undefined],
    ]);
  });

  it('types them', () => {
    const client = new HiveSyncClient({ baseUrl: 'http://x' });
    expectTypeOf(client.threads.ask).returns.toEqualTypeOf<Promise<AiJob>>();
    expectTypeOf(client.threads.ask).parameter(2).toEqualTypeOf<'explain' | 'suggest_fix'>();
    expectTypeOf(client.admin.setProjectPlan).returns.toEqualTypeOf<Promise<AdminProject>>();
    expectTypeOf(client.admin.setProjectPlan).parameter(1).toEqualTypeOf<'free' | 'pro'>();
    expectTypeOf(client.admin.aiJobLog).returns.toEqualTypeOf<Promise<AiJobLog>>();
  });
});
