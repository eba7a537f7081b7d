import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createProject, registerUser, startTestServer, type TestServer } from '../../test/harness.js';

describe.each(backends())("setting a project's plan on $name", (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;
  const patch = (id: string, token: string, body: unknown) =>
    server.request({ method: 'PATCH', url: `/api/v1/admin/projects/${id}`, token, body });

  beforeAll(async () => {
    server = await startTestServer(backend);
    owner = await registerUser(server);
    projectId = (await createProject(server, owner.token, 'planned')).id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lets an instance admin move a project to pro and back, each change audited', async () => {
    const res = await patch(projectId, server.admin.token, { plan: 'pro' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id: projectId, name: 'planned', plan: 'pro' });
    const rows = await server.runtime.infra.db.sql.executeSql('select plan from projects where id = $1', [projectId]);
    expect(rows.rows[0]!.plan).toBe('pro');
    expect((await patch(projectId, server.admin.token, { plan: 'free' })).json().plan).toBe('free');

    const audit = await server.request({
      method: 'GET',
      url: `/api/v1/admin/audit?action=admin.project_plan&project_id=${projectId}`,
      token: server.admin.token,
    });
    const entries = audit.json().entries as { details: Record<string, unknown>; actor_id: string }[];
    expect(entries.map((e) => e.details)).toEqual([
      { from: 'pro', to: 'free' },
      { from: 'free', to: 'pro' },
    ]);
    expect(entries.every((e) => e.actor_id === server.admin.id)).toBe(true);
  });

  it('answers 404 to anyone else (the project owner too), 404 for an unknown project, 400 for a bad plan', async () => {
    const byOwner = await patch(projectId, owner.token, { plan: 'pro' });
    expect(byOwner.statusCode).toBe(404);
    expect(byOwner.json().error.code).toBe('not_found');
    expect((await patch(crypto.randomUUID(), server.admin.token, { plan: 'pro' })).statusCode).toBe(404);
    for (const body of [{ plan: 'enterprise' }, {}, { plan: null }]) {
      const bad = await patch(projectId, server.admin.token, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.code).toBe('validation_error');
    }
    const rows = await server.runtime.infra.db.sql.executeSql('select plan from projects where id = $1', [projectId]);
    // The refused requests changed nothing: the plan is still the one the first test left.
    expect(rows.rows[0]!.plan).toBe('free');
  });
});
