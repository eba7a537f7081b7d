import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, type TestServer } from './harness.js';

/** Applies a patch to a fresh checkout of `commit` and returns the checkout (git apply must accept it). */
export function applyOnCheckout(remote: string, commit: string, patch: string, where: string): string {
  execFileSync('git', ['clone', '-q', remote, where]);
  execFileSync('git', ['-C', where, 'checkout', '-q', commit]);
  fs.writeFileSync(path.join(where, 'p.diff'), patch);
  execFileSync('git', ['-C', where, 'apply', '--check', 'p.diff']);
  execFileSync('git', ['-C', where, 'apply', 'p.diff']);
  fs.rmSync(path.join(where, 'p.diff'));
  return where;
}

/** Creates a project (`body`) and waits for its first sync to complete; returns its id. */
export async function syncedProject(
  server: TestServer,
  token: string,
  body: Record<string, unknown>,
  timeoutMs?: number,
): Promise<string> {
  const projectId: string = (await server.request({ method: 'POST', url: '/api/v1/projects', token, body })).json().id;
  const { sync_id } = (
    await server.request({ method: 'POST', url: '/api/v1/repo/sync', token, body: { project_id: projectId } })
  ).json();
  await eventually(
    async () =>
      (await server.request({ method: 'GET', url: `/api/v1/repo/sync/${sync_id}`, token })).json().status ===
      'completed',
    timeoutMs,
  );
  return projectId;
}
