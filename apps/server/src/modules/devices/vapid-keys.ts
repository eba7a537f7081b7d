import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';

/** The VAPID identity Web Push requests are signed with. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const FILE = 'vapid-keys.json';

/**
 * The configured VAPID keys; else, when this process is the whole installation (`all`: it owns the data directory),
 * a pair generated once into `<data dir>/vapid-keys.json` (mode 0600). Undefined when neither: API and worker
 * processes must share configured keys, so Web Push is off for them until HIVESYNC_VAPID_* are set.
 */
export function resolveVapidKeys(
  configured: { publicKey: string | undefined; privateKey: string | undefined; subject: string },
  dataDir: string,
  role: 'all' | 'api' | 'worker',
): VapidKeys | undefined {
  const { subject } = configured;
  if (configured.publicKey && configured.privateKey) {
    return { publicKey: configured.publicKey, privateKey: configured.privateKey, subject };
  }
  if (role !== 'all') return undefined;
  const file = path.join(dataDir, FILE);
  const read = (): VapidKeys => {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { public_key: string; private_key: string };
    return { publicKey: stored.public_key, privateKey: stored.private_key, subject };
  };
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const keys = webpush.generateVAPIDKeys();
  try {
    fs.writeFileSync(file, JSON.stringify({ public_key: keys.publicKey, private_key: keys.privateKey }), {
      mode: 0o600,
      flag: 'wx',
    });
    return { ...keys, subject };
  } catch (err) {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw err;
  }
}
