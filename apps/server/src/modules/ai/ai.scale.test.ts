import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOnCheckout, syncedProject } from '../../test/ai-jobs.js';
import { git } from '../../test/git-fixtures.js';
import { backends, eventually, startTestServer, tempDir, type TestServer } from '../../test/harness.js';

// A scale test: `npm test` runs it, `npm run test:quick` (files named *.scale.test.ts are left out) does not.

// The generator is shared with packages/ai's tests and the bench; loaded by path (this package's rootDir is src).
const GENERATED = new URL('../../../../../packages/ai/src/testing/generated-project.ts', import.meta.url).href;
interface GeneratedProject {
  files: Map<string, string>;
  declaring: string;
  line: number;
  symbol: string;
  users: string[];
  lookalikes: string[];
}

describe('a rename on a generated 5,000-file project (a real git repository)', () => {
  let server: TestServer;
  const work = tempDir('hivesync-ai-big-');
  let token: string;
  let projectId: string;
  let remote: string;
  let big: GeneratedProject;

  beforeAll(async () => {
    const { generatedProject } = (await import(GENERATED)) as { generatedProject: (n: number) => GeneratedProject };
    big = generatedProject(5000);
    remote = path.join(work.dir, 'remote');
    for (const [file, text] of big.files) {
      fs.mkdirSync(path.dirname(path.join(remote, file)), { recursive: true });
      fs.writeFileSync(path.join(remote, file), text);
    }
    git(remote, 'init', '-q', '-b', 'main');
    git(remote, 'add', '-A');
    git(remote, 'commit', '-q', '-m', 'generated');
    server = await startTestServer(backends()[0]!, { HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    token = server.admin.token;
    projectId = await syncedProject(server, token, { name: 'generated', repo_url: remote }, 120_000);
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  it('changes every file that uses the symbol, past the 2,000th, and the patch applies', async () => {
    const created = await server.request({
      method: 'POST',
      url: '/api/v1/ai/jobs',
      token,
      body: {
        project_id: projectId,
        action: 'rename_symbol',
        path: big.declaring,
        symbol: big.symbol,
        new_name: 'formatPrice',
        range: { start_line: big.line, end_line: big.line },
      },
    });
    expect(created.statusCode, created.body).toBe(202);
    const job = await eventually(async () => {
      const j = (
        await server.request({ method: 'GET', url: `/api/v1/ai/jobs/${created.json().job_id}`, token })
      ).json();
      return ['completed', 'failed'].includes(j.status) && j;
    }, 300_000);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const [s] = job.suggestions;
    // Git lists src/money.ts after the 5,000 modules: the old 2,000-file read missed it and the importers past it.
    expect([...s.files].sort()).toEqual(big.users);
    expect(s.files).toContain('src/mods/m4999.ts');
    const dir = applyOnCheckout(remote, job.commit, s.patch, path.join(work.dir, 'apply'));
    for (const file of big.users) expect(fs.readFileSync(path.join(dir, file), 'utf8')).not.toMatch(/\bformatAmount\b/);
    for (const file of big.lookalikes) expect(fs.readFileSync(path.join(dir, file), 'utf8')).toContain('formatAmount(');
  }, 360_000);
});
