import { spawnSync } from 'node:child_process';

const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Whether an editor (nvim, vim, python3) can run here. Missing under CI=true is an error (.ci/run installs them from
 * Debian); elsewhere the tests that need it are skipped with one line saying so.
 */
export function editorAvailable(command: string, install: string): boolean {
  const ok = spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
  if (ok) return true;
  if (inCi) throw new Error(`CI needs ${command} for the editor plugin tests: ${install}`);
  console.warn(`skipped: ${command} is not installed (${install})`);
  return false;
}
