// Downloads Electron's binary the first time the desktop app is started. `npm install` does not (the root
// package.json denies Electron's install script), so people who only run the server, the CLI or an editor plugin
// never fetch ~100 MB they do not use, and an install on a machine that cannot reach Electron's download host works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));

if (!existsSync(join(electronDir, 'path.txt'))) {
  console.log("Downloading Electron's binary (once; set ELECTRON_MIRROR to use a mirror)...");
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
  });
  if (result.status !== 0) {
    console.error("Could not download Electron's binary; see the error above.");
    process.exit(result.status ?? 1);
  }
}
