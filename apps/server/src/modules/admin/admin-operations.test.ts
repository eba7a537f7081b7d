import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createProject,
  eventually,
  registerUser,
  startTestServer,
  type TestServer,
} from '../../test/harness.js';

/** Every route of the operations API, with a body where it takes one (for the non-admin check). */
const ROUTES: { method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; url: string; body?: unknown }[] = [
  { method: 'GET', url: '/api/v1/admin/users' },
  { method: 'GET', url: '/api/v1/admin/users/ID' },
  { method: 'PATCH', url: '/api/v1/admin/users/ID', body: { disabled: true } },
  { method: 'POST', url: '/api/v1/admin/users/ID/logout' },
  { method: 'DELETE', url: '/api/v1/admin/users/ID' },
  { method: 'GET', url: '/api/v1/admin/workers' },
  { method: 'POST', url: '/api/v1/admin/workers/w1/drain' },
  { method: 'POST', url: '/api/v1/admin/workers/w1/resume' },
  { method: 'GET', url: '/api/v1/admin/queues' },
  { method: 'GET', url: '/api/v1/admin/jobs?queue=system-canary&status=failed' },
  { method: 'POST', url: '/api/v1/admin/jobs/00000000-0000-4000-8000-000000000000/retry' },
  { method: 'POST', url: '/api/v1/admin/jobs/00000000-0000-4000-8000-000000000000/cancel' },
  { method: 'GET', url: '/api/v1/admin/analytics/previews' },
  { method: 'GET', url: '/api/v1/admin/analytics/ai' },
  { method: 'GET', url: '/api/v1/admin/analytics/syncs' },
  { method: 'GET', url: '/api/v1/admin/analytics/rate-limits' },
  { method: 'GET', url: '/api/v1/admin/autoscaling/rules' },
  { method: 'PUT', url: '/api/v1/admin/autoscaling/rules', body: { rules: [] } },
  { method: 'GET', url: '/api/v1/admin/autoscaling/decisions' },
  { method: 'POST', url: '/api/v1/admin/pools/default/scale', body: { desired: 2 } },
  { method: 'GET', url: '/api/v1/admin/health/history' },
  { method: 'GET', url: '/api/v1/admin/audit' },
  { method: 'GET', url: '/api/v1/admin/audit?format=csv' },
  { method: 'POST', url: '/api/v1/admin/canary', body: {} },
  { method: 'POST', url: '/api/v1/admin/broadcast', body: { message: 'hi' } },
];

const RULE = {
  pool: 'default',
  min_workers: 1,
  max_workers: 4,
  scale_up_oldest_seconds: 30,
  scale_up_depth: 5,
  scale_down_idle_minutes: 10,
  enabled: true,
};

describe.each(backends())('operations API on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${path}`, token, ...(body !== undefined && { body }) });

  it('answers 404 to a non-admin on every admin route, as for a route that does not exist', async () => {
    const user = await registerUser(server);
    for (const route of ROUTES) {
      const res = await server.request({
        method: route.method,
        url: route.url.replace('ID', server.admin.id),
        token: user.token,
        ...(route.body !== undefined && { body: route.body }),
      });
      expect({ route: `${route.method} ${route.url}`, status: res.statusCode }).toEqual({
        route: `${route.method} ${route.url}`,
        status: 404,
      });
      expect(res.json().error.code).toBe('not_found');
    }
    // Nothing changed: the admin is still enabled and the non-admin still a user.
    const admin = await api('GET', `/admin/users/${server.admin.id}`, server.admin.token);
    expect(admin.json()).toMatchObject({ role: 'admin', disabled: false });
  });

  it('lists, searches and pages users; shows projects, last login and sessions', async () => {
    const tag = `srch${Date.now()}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await registerUser(server, { email: `${tag}-${i}@example.test` }));
    await createProject(server, made[0]!.token, 'alpha');
    const first = await api('GET', `/admin/users?q=${tag}&limit=2`, server.admin.token);
    expect(first.statusCode).toBe(200);
    expect(first.json().users.map((u: { email: string }) => u.email)).toEqual([
      `${tag}-0@example.test`,
      `${tag}-1@example.test`,
    ]);
    const second = await api(
      'GET',
      `/admin/users?q=${tag}&limit=2&cursor=${first.json().next_cursor}`,
      server.admin.token,
    );
    expect(second.json()).toMatchObject({ users: [{ email: `${tag}-2@example.test` }], next_cursor: null });
    const admins = await api('GET', '/admin/users?role=admin', server.admin.token);
    expect(admins.json().users.map((u: { user_id: string }) => u.user_id)).toContain(server.admin.id);

    const detail = await api('GET', `/admin/users/${made[0]!.id}`, server.admin.token);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      user_id: made[0]!.id,
      role: 'user',
      disabled: false,
      project_count: 1,
      projects: [{ name: 'alpha', role: 'owner' }],
    });
    expect(detail.json().last_login_at).not.toBeNull();
    expect(detail.json().sessions).toHaveLength(1);
    expect((await api('GET', '/admin/users/nobody', server.admin.token)).statusCode).toBe(404);
    // Unknown filters and bad values are 400s.
    const unknown = await api('GET', '/admin/users?colour=blue', server.admin.token);
    expect(unknown.statusCode).toBe(400);
    expect((await api('GET', '/admin/users?cursor=bm9wZQ', server.admin.token)).statusCode).toBe(400);
  });

  it('disables a user (tokens refused at once, login refused), enables them, and audits both', async () => {
    const user = await registerUser(server);
    expect((await api('GET', '/auth/me', user.token)).statusCode).toBe(200);
    const disabled = await api('PATCH', `/admin/users/${user.id}`, server.admin.token, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ disabled: true });
    expect((await api('GET', '/auth/me', user.token)).statusCode).toBe(401);
    const login = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: user.email, password: user.password },
    });
    expect(login.statusCode).toBe(403);
    expect((await api('GET', `/admin/users/${user.id}`, server.admin.token)).json().sessions).toEqual([]);

    expect((await api('PATCH', `/admin/users/${user.id}`, server.admin.token, { disabled: false })).statusCode).toBe(
      200,
    );
    const again = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: user.email, password: user.password },
    });
    expect(again.statusCode).toBe(200);
    expect((await api('GET', '/auth/me', again.json().access_token)).statusCode).toBe(200);

    const audit = await api('GET', `/admin/audit?action=admin.user_updated&q=${user.id}`, server.admin.token);
    expect(audit.json().entries.map((e: { details: unknown }) => e.details)).toEqual([
      { disabled: false },
      { disabled: true },
    ]);
  });

  it('promotes and demotes; the last enabled admin cannot demote or disable themselves (409)', async () => {
    const other = await registerUser(server);
    expect(
      (await api('PATCH', `/admin/users/${server.admin.id}`, server.admin.token, { role: 'user' })).statusCode,
    ).toBe(409);
    const selfDisable = await api('PATCH', `/admin/users/${server.admin.id}`, server.admin.token, { disabled: true });
    expect(selfDisable.statusCode).toBe(409);
    expect(selfDisable.json().error.details).toMatchObject({ reason: 'last_admin' });

    // Promoted, the other user reaches the admin API with the token they already hold.
    expect((await api('GET', '/admin/workers', other.token)).statusCode).toBe(404);
    expect((await api('PATCH', `/admin/users/${other.id}`, server.admin.token, { role: 'admin' })).statusCode).toBe(
      200,
    );
    expect((await api('GET', '/admin/workers', other.token)).statusCode).toBe(200);
    // With two admins, one may step down; then the other is the last again.
    expect((await api('PATCH', `/admin/users/${other.id}`, other.token, { role: 'user' })).statusCode).toBe(200);
    expect((await api('GET', '/admin/workers', other.token)).statusCode).toBe(404);
    expect(
      (await api('PATCH', `/admin/users/${server.admin.id}`, server.admin.token, { role: 'user' })).statusCode,
    ).toBe(409);
    expect((await api('PATCH', `/admin/users/${other.id}`, server.admin.token, { colour: 'red' })).statusCode).toBe(
      400,
    );
  });

  it('forces a log-out, and deletes a user only once they own no project', async () => {
    const user = await registerUser(server);
    const project = await createProject(server, user.token, 'owned');
    const out = await api('POST', `/admin/users/${user.id}/logout`, server.admin.token);
    expect(out.json()).toEqual({ revoked_sessions: 1 });
    expect((await api('GET', '/auth/me', user.token)).statusCode).toBe(401);

    const refused = await api('DELETE', `/admin/users/${user.id}`, server.admin.token);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details).toMatchObject({
      reason: 'owns_projects',
      projects: [{ project_id: project.id, name: 'owned' }],
    });
    const login = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: user.email, password: user.password },
    });
    expect((await api('DELETE', `/projects/${project.id}`, login.json().access_token)).statusCode).toBe(204);
    expect((await api('DELETE', `/admin/users/${user.id}`, server.admin.token)).statusCode).toBe(204);
    expect((await api('GET', `/admin/users/${user.id}`, server.admin.token)).statusCode).toBe(404);
    expect((await api('GET', '/auth/me', login.json().access_token)).statusCode).toBe(401);
    expect((await api('DELETE', `/admin/users/${server.admin.id}`, server.admin.token)).statusCode).toBe(409);
  });

  it('lists workers with their pool; a drained worker takes no new job until resumed', async () => {
    const workerId = server.runtime.runner!.workerId;
    const list = await api('GET', '/admin/workers', server.admin.token);
    expect(list.statusCode).toBe(200);
    expect(list.json().workers).toContainEqual(
      expect.objectContaining({
        worker_id: workerId,
        // The pools the worker's heartbeat names (every pool in embedded mode), or `default` if it names none.
        pools: expect.arrayContaining([expect.any(String)]),
        state: 'running',
        host: expect.any(String),
      }),
    );
    expect((await api('POST', '/admin/workers/nope/drain', server.admin.token)).statusCode).toBe(404);

    expect(
      (await api('POST', `/admin/workers/${encodeURIComponent(workerId)}/drain`, server.admin.token)).statusCode,
    ).toBe(202);
    await eventually(async () => {
      const w = (await api('GET', '/admin/workers', server.admin.token)).json().workers;
      return w.some((x: { worker_id: string; state: string }) => x.worker_id === workerId && x.state === 'draining');
    });
    const canary = (await api('POST', '/admin/canary', server.admin.token, {})).json();
    // Several polling intervals pass: the canary stays queued.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await api('GET', `/admin/canary/${canary.canary_id}`, server.admin.token)).json().status).toBe('queued');

    expect(
      (await api('POST', `/admin/workers/${encodeURIComponent(workerId)}/resume`, server.admin.token)).statusCode,
    ).toBe(202);
    await eventually(async () => {
      const c = (await api('GET', `/admin/canary/${canary.canary_id}`, server.admin.token)).json();
      return c.status === 'completed';
    });
    const audit = (
      await api('GET', `/admin/audit?action=admin.*&q=${encodeURIComponent(workerId)}`, server.admin.token)
    ).json();
    expect(audit.entries.map((e: { action: string }) => e.action)).toEqual([
      'admin.worker_resume',
      'admin.worker_drain',
    ]);
  });

  it('shows queue figures, lists and filters jobs, retries a failed job and refuses others (409)', async () => {
    const queue = server.runtime.infra.queue;
    await queue.declare('admin-test', { retryLimit: 0, retryBackoff: false, expireInSeconds: 60 });
    const failedId = await queue.send('admin-test', { n: 1 });
    const waitingId = await queue.send('admin-test', { n: 2 });
    await queue.fail('admin-test', failedId, 'broken on purpose');

    const queues = (await api('GET', '/admin/queues', server.admin.token)).json().queues;
    expect(queues).toContainEqual(
      expect.objectContaining({ name: 'admin-test', waiting: 1, running: 0, failed: 1, completed_last_hour: 0 }),
    );
    const mine = queues.find((q: { name: string }) => q.name === 'admin-test');
    expect(mine.oldest_waiting_seconds).toBeGreaterThanOrEqual(0);

    const failed = (await api('GET', '/admin/jobs?queue=admin-test&status=failed', server.admin.token)).json();
    expect(failed.jobs).toEqual([
      expect.objectContaining({ job_id: failedId, queue: 'admin-test', status: 'failed', error: 'broken on purpose' }),
    ]);
    const all = (await api('GET', '/admin/jobs?queue=admin-test&limit=1', server.admin.token)).json();
    expect(all.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([waitingId]);
    const next = (
      await api('GET', `/admin/jobs?queue=admin-test&limit=1&cursor=${all.next_cursor}`, server.admin.token)
    ).json();
    expect(next.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([failedId]);

    const unknownQueue = await api('GET', '/admin/jobs?queue=nope', server.admin.token);
    expect(unknownQueue.statusCode).toBe(400);
    expect(unknownQueue.json().error.message).toContain('unknown queue');
    expect((await api('GET', '/admin/jobs?state=failed', server.admin.token)).statusCode).toBe(400);
    expect((await api('GET', '/admin/jobs?status=stuck', server.admin.token)).statusCode).toBe(400);

    const notFailed = await api('POST', `/admin/jobs/${waitingId}/retry`, server.admin.token);
    expect(notFailed.statusCode).toBe(409);
    expect(notFailed.json().error.details).toEqual({ status: 'waiting' });
    const retried = await api('POST', `/admin/jobs/${failedId}/retry`, server.admin.token);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ job_id: failedId, status: 'waiting' });
    expect((await api('POST', '/admin/jobs/not-a-job/retry', server.admin.token)).statusCode).toBe(404);

    // Cancel a waiting job; a second cancel finds it finished.
    const cancelled = await api('POST', `/admin/jobs/${waitingId}/cancel`, server.admin.token);
    expect(cancelled.json()).toMatchObject({ job_id: waitingId, status: 'cancelled' });
    expect((await api('POST', `/admin/jobs/${waitingId}/cancel`, server.admin.token)).statusCode).toBe(409);
  });

  it('cancels a running job: its handler stops through its signal, and its row ends failed, never completed', async () => {
    const canary = (await api('POST', '/admin/canary', server.admin.token, { delay_ms: 120_000 })).json();
    const job = await eventually(async () => {
      const jobs = (await api('GET', '/admin/jobs?queue=system-canary&status=running', server.admin.token)).json().jobs;
      return jobs[0] as { job_id: string } | undefined;
    });
    const res = await api('POST', `/admin/jobs/${job.job_id}/cancel`, server.admin.token);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    const ended = await eventually(async () => {
      const c = (await api('GET', `/admin/canary/${canary.canary_id}`, server.admin.token)).json();
      return c.status !== 'running' && c;
    });
    expect(ended.status).toBe('failed');
    // The worker let go of it (no lease left in its heartbeat).
    await eventually(async () => {
      const w = (await api('GET', '/admin/workers', server.admin.token)).json().workers;
      return w.every((x: { active_jobs: { job_id: string }[] }) => x.active_jobs.every((j) => j.job_id !== job.job_id));
    });
    expect(
      (await api('GET', `/admin/jobs?queue=system-canary&status=cancelled`, server.admin.token)).json().jobs,
    ).toContainEqual(expect.objectContaining({ job_id: job.job_id }));
  });

  it('answers analytics as bucketed series computed in SQL, and refuses unbounded input with the limit named', async () => {
    const db = server.runtime.infra.db;
    const project = await createProject(server, server.admin.token, 'stats');
    const hour = new Date(Date.UTC(2026, 0, 5, 13, 0, 0));
    const at = (minutes: number) => new Date(hour.getTime() + minutes * 60_000).toISOString();
    await db.sql.executeSql(
      `insert into previews (id, project_id, platform, status, code, upload_key, expires_at, created_at, error_code)
       values ('p1', $1, 'ios', 'failed', 'C1', 'k1', now(), $2, 'bundle_invalid'),
              ('p2', $1, 'ios', 'failed', 'C2', 'k2', now(), $3, 'bundle_invalid'),
              ('p3', $1, 'android', 'failed', 'C3', 'k3', now(), $4, 'upload_timeout'),
              ('p4', $1, 'web', 'ready', 'C4', 'k4', now(), $4, null)`,
      [project.id, at(5), at(70), at(10)],
    );
    await db.sql.executeSql(
      `insert into repo_syncs (id, project_id, trigger, status, created_at, duration_ms, error_code)
       values ('s1', $1, 'manual', 'completed', $2, 1000, null),
              ('s2', $1, 'manual', 'completed', $2, 3000, null),
              ('s3', $1, 'manual', 'failed', $3, 500, 'git_timeout')`,
      [project.id, at(1), at(61)],
    );
    await db.sql.executeSql(
      `insert into ai_jobs (id, project_id, action, params, status, commit, created_at, started_at, finished_at,
                            provider, prompt_tokens, completion_tokens)
       values ('a1', $1, 'summarize_file', '{}', 'completed', 'c', $2, $2, $3, 'openai', 100, 20),
              ('a2', $1, 'summarize_file', '{}', 'failed', 'c', $2, $2, $3, 'local', null, null)`,
      [project.id, at(2), at(3)],
    );
    await db.sql.executeSql(
      `insert into suggestions (id, job_id, project_id, description, files, patch, state, created_at)
       values ('g1', 'a1', $1, 'd', '[]', 'p', 'approved', $2), ('g2', 'a1', $1, 'd', '[]', 'p', 'rejected', $2),
              ('g3', 'a1', $1, 'd', '[]', 'p', 'applied', $2)`,
      [project.id, at(4)],
    );
    await db.sql.executeSql(
      `insert into rate_limit_refusals (minute, limit_name, route, user_id, ip, count)
       values ($1, 'search', 'GET /api/v1/repo/search', $2, '10.0.0.1', 7),
              ($3, 'syncs', 'POST /api/v1/repo/sync', $2, '10.0.0.2', 2)`,
      [at(0), server.admin.id, at(65)],
    );
    const range = `from=${encodeURIComponent(hour.toISOString())}&to=${encodeURIComponent(at(120))}&bucket=1h`;

    const previews = (await api('GET', `/admin/analytics/previews?${range}`, server.admin.token)).json();
    expect(previews.range).toEqual({
      from: hour.toISOString(),
      to: at(120),
      bucket_seconds: 3600,
      percentiles: 'exact',
    });
    expect(previews.series).toEqual([
      { t: hour.toISOString(), created: 3, failed: 2 },
      { t: at(60), created: 1, failed: 1 },
    ]);
    expect(previews.heatmap).toEqual([
      { platform: 'android', hour: 13, failures: 1 },
      { platform: 'ios', hour: 13, failures: 1 },
      { platform: 'ios', hour: 14, failures: 1 },
    ]);
    expect(previews.by_reason).toEqual([
      { reason: 'bundle_invalid', count: 2 },
      { reason: 'upload_timeout', count: 1 },
    ]);

    const syncs = (await api('GET', `/admin/analytics/syncs?${range}`, server.admin.token)).json();
    expect(syncs.series[0]).toEqual({ t: hour.toISOString(), completed: 2, failed: 0, p50_ms: 2000, p95_ms: 2900 });
    expect(syncs.by_error).toEqual([{ code: 'git_timeout', count: 1 }]);

    const ai = (await api('GET', `/admin/analytics/ai?${range}`, server.admin.token)).json();
    expect(ai.by_action).toEqual([
      expect.objectContaining({ action: 'summarize_file', provider: 'local', outcome: 'failed', prompt_tokens: null }),
      expect.objectContaining({
        action: 'summarize_file',
        provider: 'openai',
        outcome: 'completed',
        count: 1,
        p50_ms: 60_000,
        prompt_tokens: 100,
        completion_tokens: 20,
      }),
    ]);
    expect(ai.suggestions).toMatchObject({ total: 3, approval_rate: 0.6667, rejection_rate: 0.3333 });

    const limits = (await api('GET', `/admin/analytics/rate-limits?${range}`, server.admin.token)).json();
    expect(limits.series.map((s: { refusals: number }) => s.refusals)).toEqual([7, 2]);
    expect(limits.by_user).toEqual([{ user_id: server.admin.id, email: 'admin@example.test', count: 9 }]);
    expect(limits.by_ip[0]).toEqual({ ip: '10.0.0.1', count: 7 });
    expect(limits.by_route[0]).toEqual({ route: 'GET /api/v1/repo/search', limit_name: 'search', count: 7 });

    const tooFine = await api('GET', '/admin/analytics/syncs?bucket=30s', server.admin.token);
    expect(tooFine.statusCode).toBe(400);
    expect(tooFine.json().error.message).toContain('at least 1 minute');
    const tooLong = await api(
      'GET',
      '/admin/analytics/previews?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=1d',
      server.admin.token,
    );
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.message).toContain('366 days');
    const tooMany = await api(
      'GET',
      `/admin/analytics/ai?from=2025-01-01T00:00:00Z&to=2025-12-01T00:00:00Z&bucket=1m`,
      server.admin.token,
    );
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toContain('at most 2000');
    expect((await api('GET', '/admin/analytics/ai?platform=ios', server.admin.token)).statusCode).toBe(400);
  });

  it('stores autoscaling rules, records a scale-up decision for a backed-up queue, and a manual override', async () => {
    // The pool the test server's worker serves (its heartbeat's first pool).
    const pool = (await api('GET', '/admin/workers', server.admin.token)).json().workers[0].pools[0] as string;
    const rule = { ...RULE, pool };
    expect((await api('GET', '/admin/autoscaling/rules', server.admin.token)).json()).toMatchObject({
      rules: [],
      target: 'log',
    });
    const bad = await api('PUT', '/admin/autoscaling/rules', server.admin.token, {
      rules: [{ ...rule, min_workers: 5, max_workers: 2 }],
    });
    expect(bad.statusCode).toBe(400);
    const put = await api('PUT', '/admin/autoscaling/rules', server.admin.token, { rules: [rule] });
    expect(put.statusCode).toBe(200);
    expect(put.json().rules).toEqual([rule]);

    // Back a queue the worker serves up past the rule's depth: the worker is drained, 12 canaries wait.
    const workerId = encodeURIComponent(server.runtime.runner!.workerId);
    await api('POST', `/admin/workers/${workerId}/drain`, server.admin.token);
    await eventually(async () => server.runtime.runner!.isDraining);
    await server.runtime.infra.queue.sendMany(
      'system-canary',
      Array.from({ length: 12 }, () => ({ canary_id: 'none' })),
    );
    const decided = await server.runtime.services.operations.autoscaling.evaluate();
    expect(decided).toHaveLength(1);
    const log = (await api('GET', '/admin/autoscaling/decisions', server.admin.token)).json();
    expect(log.decisions[0]).toMatchObject({
      pool,
      source: 'rule',
      rule: rule,
      previous: null,
      target: 'log',
      applied: true,
      error: null,
    });
    expect(log.decisions[0].input.waiting).toBeGreaterThanOrEqual(12);
    expect(log.decisions[0].desired).toBeGreaterThanOrEqual(3);
    expect(log.decisions[0].desired).toBeLessThanOrEqual(4);
    expect(log.decisions[0].reason).toContain('jobs waiting > 5');
    // Unchanged input, unchanged count: no new decision.
    const steady = await server.runtime.services.operations.autoscaling.evaluate();
    expect(steady.every((d) => d.reason.startsWith('scale up'))).toBe(true);

    const manual = await api('POST', `/admin/pools/${pool}/scale`, server.admin.token, { desired: 0, minutes: 5 });
    expect(manual.statusCode).toBe(200);
    expect(manual.json()).toMatchObject({ pool, desired: 0, manual: { desired: 0 } });
    // While the override holds, the rule does not move the pool.
    expect(await server.runtime.services.operations.autoscaling.evaluate()).toEqual([]);
    const after = (await api('GET', `/admin/autoscaling/decisions?pool=${pool}&limit=1`, server.admin.token)).json();
    expect(after.decisions[0]).toMatchObject({ source: 'manual', desired: 0 });
    expect(after.next_cursor).not.toBeNull();
    const rules = (await api('GET', '/admin/autoscaling/rules', server.admin.token)).json();
    expect(rules.pools).toContainEqual(expect.objectContaining({ pool, desired: 0, live_workers: 1 }));
    expect((await api('POST', '/admin/pools/Bad Pool/scale', server.admin.token, { desired: 1 })).statusCode).toBe(400);
    expect((await api('POST', `/admin/pools/${pool}/scale`, server.admin.token, { desired: -1 })).statusCode).toBe(400);
    const audit = (await api('GET', '/admin/audit?action=admin.pool_scaled', server.admin.token)).json();
    expect(audit.entries[0]).toMatchObject({ target_id: pool, details: { desired: 0 } });

    // The queue's depth and oldest age are Prometheus gauges.
    const metrics = await server.request({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/hivesync_queue_waiting_jobs\{queue="system-canary"[^}]*\} 12/);
    expect(metrics.body).toMatch(/hivesync_queue_oldest_waiting_seconds\{queue="system-canary"/);
    await api('POST', `/admin/workers/${workerId}/resume`, server.admin.token);
    expect(metrics.body).toMatch(new RegExp(`hivesync_pool_desired_workers\\{pool="${pool}"[^}]*\\} 0`));
  });

  it("keeps each deep-health check's state over time", async () => {
    await server.runtime.services.operations.healthHistory.sample();
    await server.runtime.services.operations.healthHistory.sample();
    const history = (await api('GET', '/admin/health/history', server.admin.token)).json();
    const names = history.checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['database', 'redis', 'storage', 'git', 'disk']));
    const db = history.checks.find((c: { name: string }) => c.name === 'database');
    expect(db.samples.length).toBeGreaterThanOrEqual(2);
    expect(db.samples[0]).toMatchObject({ status: 'ok' });
    expect((await api('GET', '/admin/health/history?hours=500', server.admin.token)).statusCode).toBe(400);
  });

  it('searches the audit log by text and filters, and exports it as CSV', async () => {
    const user = await registerUser(server, { email: `audited-${Date.now()}@example.test` });
    await api('POST', `/admin/users/${user.id}/logout`, server.admin.token);
    const found = (
      await api('GET', `/admin/audit?q=${encodeURIComponent(user.email.slice(0, 12))}`, server.admin.token)
    ).json();
    expect(found.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['auth.register']));
    const byAdmin = (
      await api(
        'GET',
        `/admin/audit?actor=${server.admin.id}&action=admin.user_logout&q=${user.id}`,
        server.admin.token,
      )
    ).json();
    expect(byAdmin.entries).toHaveLength(1);
    const csv = await api('GET', `/admin/audit?action=admin.user_logout&q=${user.id}&format=csv`, server.admin.token);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor_id,actor_email,action,target_type,target_id,project_id,ip,details');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,admin@example.test,admin.user_logout,user,${user.id},`);
    expect(lines[1]).toContain('"{""revoked_sessions"":1}"');
    expect((await api('GET', '/admin/audit?format=xml', server.admin.token)).statusCode).toBe(400);
    expect((await api('GET', '/admin/audit?who=me', server.admin.token)).statusCode).toBe(400);
  });
});
