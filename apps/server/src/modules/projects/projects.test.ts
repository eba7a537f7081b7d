import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createProject, registerUser, startTestServer, type TestServer } from '../../test/harness.js';

describe.each(backends())('projects and members on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });

  it('creates a project with main as the default branch and the creator as owner', async () => {
    const owner = await registerUser(server);
    const res = await api('POST', '/projects', owner.token, {
      name: '  Web app ',
      repo_url: 'https://git.example.test/web.git',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'Web app',
      repo_url: 'https://git.example.test/web.git',
      branch: 'main',
      role: 'owner',
      last_synced_at: null,
      last_commit: null,
    });
    const list = await api('GET', '/projects', owner.token);
    expect(list.json().projects.map((p: { id: string }) => p.id)).toContain(res.json().id);
  });

  it('refuses an empty name', async () => {
    const owner = await registerUser(server);
    const res = await api('POST', '/projects', owner.token, { name: '   ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^name:/);
  });

  it('answers 404 to non-members on every project endpoint, exactly as for a missing project', async () => {
    const owner = await registerUser(server);
    const stranger = await registerUser(server);
    const { id } = await createProject(server, owner.token);
    const attempts = [
      api('GET', `/projects/${id}`, stranger.token),
      api('PATCH', `/projects/${id}`, stranger.token, { name: 'mine now' }),
      api('DELETE', `/projects/${id}`, stranger.token),
      api('GET', `/projects/${id}/members`, stranger.token),
      api('POST', `/projects/${id}/members`, stranger.token, { email: stranger.email, role: 'admin' }),
      api('DELETE', `/projects/${id}/members/${owner.id}`, stranger.token),
      api('PATCH', `/projects/${id}/members/${owner.id}`, stranger.token, { role: 'viewer' }),
    ];
    const missing = await api('GET', '/projects/00000000-0000-0000-0000-000000000000', stranger.token);
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
      expect(res.json().error.message).toBe(missing.json().error.message);
    }
    const list = await api('GET', '/projects', stranger.token);
    expect(list.json().projects).toEqual([]);
  });

  it('lets a viewer read but answers its writes with 403', async () => {
    const owner = await registerUser(server);
    const viewer = await registerUser(server);
    const { id } = await createProject(server, owner.token);
    expect(
      (await api('POST', `/projects/${id}/members`, owner.token, { email: viewer.email, role: 'viewer' })).statusCode,
    ).toBe(201);

    expect((await api('GET', `/projects/${id}`, viewer.token)).json().role).toBe('viewer');
    expect((await api('GET', `/projects/${id}/members`, viewer.token)).statusCode).toBe(200);
    const writes = await Promise.all([
      api('PATCH', `/projects/${id}`, viewer.token, { name: 'renamed' }),
      api('DELETE', `/projects/${id}`, viewer.token),
      api('POST', `/projects/${id}/members`, viewer.token, { email: owner.email, role: 'viewer' }),
    ]);
    for (const res of writes) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });

  it('lets admins manage members, but never remove the owner', async () => {
    const owner = await registerUser(server);
    const admin = await registerUser(server);
    const member = await registerUser(server);
    const { id } = await createProject(server, owner.token);
    await api('POST', `/projects/${id}/members`, owner.token, { email: admin.email, role: 'admin' });
    const added = await api('POST', `/projects/${id}/members`, admin.token, {
      email: member.email.toUpperCase(),
      role: 'member',
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ user_id: member.id, role: 'member' });

    const again = await api('POST', `/projects/${id}/members`, admin.token, { email: member.email, role: 'viewer' });
    expect(again.statusCode).toBe(409);
    const unknown = await api('POST', `/projects/${id}/members`, admin.token, {
      email: 'ghost@example.test',
      role: 'viewer',
    });
    expect(unknown.statusCode).toBe(404);
    const owning = await api('POST', `/projects/${id}/members`, admin.token, { email: member.email, role: 'owner' });
    expect(owning.statusCode).toBe(400);

    const members = (await api('GET', `/projects/${id}/members`, member.token)).json().members;
    expect(members.map((m: { role: string }) => m.role).sort()).toEqual(['admin', 'member', 'owner']);

    expect((await api('DELETE', `/projects/${id}/members/${owner.id}`, admin.token)).statusCode).toBe(409);
    expect((await api('DELETE', `/projects/${id}/members/${owner.id}`, member.token)).statusCode).toBe(403);
    // A member may leave on their own.
    expect((await api('DELETE', `/projects/${id}/members/${member.id}`, member.token)).statusCode).toBe(204);
    expect((await api('GET', `/projects/${id}`, member.token)).statusCode).toBe(404);
  });

  it('notifies a user who is added to a project', async () => {
    const owner = await registerUser(server);
    const added = await registerUser(server);
    const { id } = await createProject(server, owner.token, 'Mobile');
    await api('POST', `/projects/${id}/members`, owner.token, { email: added.email, role: 'member' });
    const list = (await api('GET', '/notifications', added.token)).json().notifications;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      type: 'project_member_added',
      project_id: id,
      payload: { project_name: 'Mobile', role: 'member' },
    });
  });

  it('lets admins rename and only the owner delete', async () => {
    const owner = await registerUser(server);
    const admin = await registerUser(server);
    const { id } = await createProject(server, owner.token);
    await api('POST', `/projects/${id}/members`, owner.token, { email: admin.email, role: 'admin' });
    const renamed = await api('PATCH', `/projects/${id}`, admin.token, { name: 'Renamed', branch: 'develop' });
    expect(renamed.json()).toMatchObject({ name: 'Renamed', branch: 'develop', role: 'admin' });
    expect((await api('DELETE', `/projects/${id}`, admin.token)).statusCode).toBe(403);
    expect((await api('DELETE', `/projects/${id}`, owner.token)).statusCode).toBe(204);
    expect((await api('GET', `/projects/${id}`, owner.token)).statusCode).toBe(404);
  });

  it('lists every member without limit, and pages them in the order added with limit and next_cursor', async () => {
    const owner = await registerUser(server);
    const { id } = await createProject(server, owner.token);
    const added: string[] = [owner.email];
    for (let i = 0; i < 4; i++) {
      const u = await registerUser(server);
      await api('POST', `/projects/${id}/members`, owner.token, { email: u.email, role: 'viewer' });
      added.push(u.email);
    }
    const all = (await api('GET', `/projects/${id}/members`, owner.token)).json();
    expect(all.members.map((m: { email: string }) => m.email)).toEqual(added);
    expect(all.next_cursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = (await api('GET', `/projects/${id}/members${query}`, owner.token)).json();
      expect(page.members.length).toBeLessThanOrEqual(2);
      seen.push(...page.members.map((m: { email: string }) => m.email));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(added);
    expect((await api('GET', `/projects/${id}/members?cursor=nope!`, owner.token)).statusCode).toBe(400);
  });

  it('changes a member’s role (admins and the owner), never the owner’s, and audits it', async () => {
    const owner = await registerUser(server);
    const admin = await registerUser(server);
    const member = await registerUser(server);
    const { id } = await createProject(server, owner.token);
    await api('POST', `/projects/${id}/members`, owner.token, { email: admin.email, role: 'admin' });
    await api('POST', `/projects/${id}/members`, owner.token, { email: member.email, role: 'viewer' });

    const promoted = await api('PATCH', `/projects/${id}/members/${member.id}`, admin.token, { role: 'member' });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toMatchObject({ user_id: member.id, email: member.email, role: 'member' });
    expect((await api('GET', `/projects/${id}`, member.token)).json().role).toBe('member');
    // The new role counts at once: a member still cannot change roles.
    const byMember = await api('PATCH', `/projects/${id}/members/${admin.id}`, member.token, { role: 'viewer' });
    expect(byMember.statusCode).toBe(403);

    const ownerDemoted = await api('PATCH', `/projects/${id}/members/${owner.id}`, admin.token, { role: 'viewer' });
    expect(ownerDemoted.statusCode).toBe(409);
    expect(ownerDemoted.json().error.message).toMatch(/owner/);
    expect((await api('PATCH', `/projects/${id}/members/${owner.id}`, owner.token, { role: 'admin' })).statusCode).toBe(
      409,
    );
    const toOwner = await api('PATCH', `/projects/${id}/members/${member.id}`, owner.token, { role: 'owner' });
    expect(toOwner.statusCode).toBe(400);
    expect(toOwner.json().error.code).toBe('validation_error');
    const stranger = await registerUser(server);
    expect(
      (await api('PATCH', `/projects/${id}/members/${stranger.id}`, owner.token, { role: 'viewer' })).statusCode,
    ).toBe(404);

    // An admin may step down; then they can no longer change roles.
    expect(
      (await api('PATCH', `/projects/${id}/members/${admin.id}`, admin.token, { role: 'member' })).statusCode,
    ).toBe(200);
    expect(
      (await api('PATCH', `/projects/${id}/members/${member.id}`, admin.token, { role: 'viewer' })).statusCode,
    ).toBe(403);
    const audit = await api('GET', `/admin/audit?action=member.role_changed&project_id=${id}`, server.admin.token);
    expect(audit.json().entries.map((e: { details: unknown }) => e.details)).toEqual([
      { from: 'admin', to: 'member' },
      { from: 'viewer', to: 'member' },
    ]);
  });
});
