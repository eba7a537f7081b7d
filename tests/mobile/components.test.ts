import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/server-process.js';

/**
 * The mobile app's component tests (jest-expo and @testing-library/react-native, in apps/mobile/src/__tests__) run
 * under jest, which React Native's transform and mocks need; this runs them from the root suite and fails with
 * jest's own report when they fail.
 */
it('passes the mobile app’s component tests (jest-expo)', () => {
  const mobile = path.join(ROOT, 'apps/mobile');
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--ci', '--colors=false'],
    {
      cwd: mobile,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', FORCE_COLOR: '0' },
      timeout: 170_000,
    },
  );
  const report = `${run.stdout}\n${run.stderr}`;
  expect(run.error, report).toBeUndefined();
  expect(run.status, report).toBe(0);
  expect(report).toMatch(/Tests:\s+\d+ passed, \d+ total/);
}, 180_000);
