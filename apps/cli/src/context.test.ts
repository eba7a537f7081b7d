import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Context } from './context.js';
import { CredentialStore } from './credentials.js';
import { startFakeApi, type FakeApi } from './test/fake-api.js';

let fake: FakeApi;
let dir: string;
let url: string;
let refreshes: number;
let replayed: boolean;

beforeEach(async () => {
  refreshes = 0;
  replayed = false;
  // Like the real server: a0 has expired, a1… are valid, and presenting a spent refresh token is a replay.
  let generation = 1;
  fake = await startFakeApi(
    (req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.url === '/api/v1/auth/refresh') {
          refreshes++;
          if ((JSON.parse(text) as { refresh_token: string }).refresh_token !== `r${generation}`) {
            replayed = true;
            return send(401, {
              error: { code: 'unauthorized', message: 'Replay.', request_id: 'x', retryable: false },
            });
          }
          generation++;
          return setTimeout(
            () => send(200, { access_token: `a${generation}`, refresh_token: `r${generation}`, token_type: 'Bearer' }),
            30,
          );
        }
        const issued = /^Bearer a(\d+)$/.exec(req.headers.authorization ?? '');
        if (!issued || Number(issued[1]) < 1 || Number(issued[1]) > generation) {
          return send(401, {
            error: { code: 'token_expired', message: 'Expired.', request_id: 'x', retryable: false },
          });
        }
        send(200, { projects: [] });
      });
    },
    { credentials: null },
  );
  ({ dir, url } = fake);
});

afterEach(() => fake.stop());

const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {} });

describe('Context', () => {
  it('never replays a refresh token when several CLI processes find the token expired at once', async () => {
    const file = path.join(dir, 'hivesync', 'credentials.json');
    await new CredentialStore(file).set(url, {
      access_token: 'a0',
      refresh_token: 'r1',
      email: 'a@example.com',
      user_id: 'u1',
      updated_at: '2025-01-01T00:00:00.000Z',
    });
    // Each Context has its own store and SDK client, as separate processes would: only the lock file is shared.
    const contexts = Array.from({ length: 4 }, () => new Context(io(), { server: url }, file));

    const results = await Promise.all(contexts.map(async (ctx) => (await ctx.loggedInClient()).projects.list()));

    expect(results).toEqual(Array.from({ length: 4 }, () => ({ projects: [] })));
    expect(replayed).toBe(false);
    // One refresh per process, one at a time, each with the refresh token the previous one stored.
    expect(refreshes).toBe(4);
    expect(await new CredentialStore(file).get(url)).toMatchObject({
      access_token: 'a5',
      refresh_token: 'r5',
      email: 'a@example.com',
    });
  });

  it('forgets the stored session when the server refuses its refresh token', async () => {
    const file = path.join(dir, 'hivesync', 'credentials.json');
    const store = new CredentialStore(file);
    await store.set(url, {
      access_token: 'a0',
      refresh_token: 'spent',
      email: 'a@example.com',
      user_id: 'u1',
      updated_at: '2025-01-01T00:00:00.000Z',
    });
    const ctx = new Context(io(), { server: url }, file);

    await expect((await ctx.loggedInClient()).projects.list()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await store.get(url)).toBeUndefined();
  });
});
