import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/harness.js';
import { createScalingTarget } from './scaling-targets.js';

describe('scaling targets', () => {
  const work = tempDir('hivesync-scaling-');
  afterAll(() => work.remove());

  it('exec runs the configured command with the pool and count as arguments, through no shell', async () => {
    const out = path.join(work.dir, 'calls.txt');
    const script = path.join(work.dir, 'scale.sh');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s|' "$@" >> '${out}'\necho >> '${out}'\n`, { mode: 0o755 });
    const target = createScalingTarget({
      kind: 'exec',
      command: script,
      args: ['--cluster', 'prod; touch pwned'],
      timeoutMs: 10_000,
      path: '/usr/bin:/bin',
    });
    await target.scale('default', 3);
    await target.scale('gpu-pool', 0);
    // Each argument arrives whole: the "; touch pwned" is text, never a command.
    expect(fs.readFileSync(out, 'utf8')).toBe(
      '--cluster|prod; touch pwned|default|3|\n--cluster|prod; touch pwned|gpu-pool|0|\n',
    );
    expect(fs.existsSync(path.join(work.dir, 'pwned'))).toBe(false);
  });

  it('exec reports a failing command with its exit and stderr', async () => {
    const script = path.join(work.dir, 'fail.sh');
    fs.writeFileSync(script, '#!/bin/sh\necho "quota exceeded" >&2\nexit 3\n', { mode: 0o755 });
    const target = createScalingTarget({ kind: 'exec', command: script, args: [], timeoutMs: 10_000, path: '/bin' });
    await expect(target.scale('default', 2)).rejects.toThrow(/failed \(3\): quota exceeded/);
  });

  it('kubernetes PATCHes the Deployment scale with a merge patch and the service account token', async () => {
    const seen: { method?: string; url?: string; auth?: string; type?: string; body: string }[] = [];
    let answer = 200;
    const fake = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          auth: req.headers.authorization,
          type: req.headers['content-type'],
          body,
        });
        res.writeHead(answer, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            answer === 200 ? { kind: 'Scale', spec: JSON.parse(body).spec } : { message: 'forbidden: no RBAC' },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const tokenFile = path.join(work.dir, 'token');
    fs.writeFileSync(tokenFile, 'sa-token-1\n');
    try {
      const target = createScalingTarget({
        kind: 'kubernetes',
        apiUrl: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
        namespace: 'hivesync',
        deployments: { default: 'hivesync-worker', gpu: 'hivesync-gpu' },
        tokenFile,
        caFile: undefined,
        timeoutMs: 5000,
      });
      await target.scale('gpu', 4);
      expect(seen).toEqual([
        {
          method: 'PATCH',
          url: '/apis/apps/v1/namespaces/hivesync/deployments/hivesync-gpu/scale',
          auth: 'Bearer sa-token-1',
          type: 'application/merge-patch+json',
          body: '{"spec":{"replicas":4}}',
        },
      ]);
      // The token is read at each call (Kubernetes rotates it).
      fs.writeFileSync(tokenFile, 'sa-token-2\n');
      await target.scale('default', 0);
      expect(seen[1]).toMatchObject({
        url: '/apis/apps/v1/namespaces/hivesync/deployments/hivesync-worker/scale',
        auth: 'Bearer sa-token-2',
        body: '{"spec":{"replicas":0}}',
      });
      answer = 403;
      await expect(target.scale('default', 1)).rejects.toThrow('the Kubernetes API answered 403: forbidden: no RBAC');
      await expect(target.scale('cpu', 1)).rejects.toThrow(/no Deployment is configured for pool cpu/);
      expect(seen).toHaveLength(3);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
