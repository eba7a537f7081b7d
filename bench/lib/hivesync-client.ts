import { call } from './processes.js';

/** A logged-in admin on a bench server, and the calls the suites need. */
export async function benchSession(url: string) {
  const reg = await call(`${url}/api/v1/auth/register`, 'POST', {
    email: 'bench@example.test',
    password: 'bench password',
  });
  const token = ((await reg.json()) as { access_token: string }).access_token;
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    (await (await call(`${url}${path}`, method, body, token)).json()) as T;
  return {
    token,
    json,
    /** Starts a sync and polls it every `pollMs` until it ends; resolves with the final sync. */
    async syncAndWait(projectId: string, pollMs = 5) {
      const { sync_id } = await json<{ sync_id: string }>('POST', '/api/v1/repo/sync', { project_id: projectId });
      for (;;) {
        const s = await json<{ status: string; commit: string; duration_ms: number; error: unknown }>(
          'GET',
          `/api/v1/repo/sync/${sync_id}`,
        );
        if (s.status === 'completed') return s;
        if (s.status === 'failed') throw new Error(`sync failed: ${JSON.stringify(s.error)}`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}
