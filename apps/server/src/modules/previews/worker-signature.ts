import crypto from 'node:crypto';

/** Header carrying the Unix time (seconds) a worker signed its callback at. */
export const TIMESTAMP_HEADER = 'x-hivesync-timestamp';
/** Header carrying `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export const SIGNATURE_HEADER = 'x-hivesync-signature';
/** How far a callback's timestamp may be from now. */
export const REPLAY_WINDOW_SECONDS = 300;

/** Signs a callback body as a build worker does; returns the two headers to send. */
export function signWorkerCallback(secret: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${mac}` };
}

/** Checks a callback's signature and freshness in constant time. */
export function verifyWorkerCallback(
  secret: string,
  body: string,
  timestamp: string | undefined,
  signature: string | undefined,
  now = Date.now(),
): 'ok' | 'stale' | 'invalid' {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return 'invalid';
  const expected = Buffer.from(
    `v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'invalid';
  return Math.abs(now / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS ? 'stale' : 'ok';
}
