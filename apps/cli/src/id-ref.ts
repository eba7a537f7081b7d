import { LOOKUP_KIND_NOUN as NOUN, MIN_ID_PREFIX, type LookupKind } from '@hivesync/core';
import { HiveSyncError, type HiveSyncClient } from '@hivesync/sdk';
import { CliError, EXIT, usageError } from './errors.js';

// The server's ids are UUIDs: a value shaped like one is taken as an id without asking the server.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[0-9a-f-]+$/i;

/**
 * The full id that `ref` names: a full UUID as is, or any unique prefix of 8 or more of its characters (like git's
 * short hashes), resolved by the server among your projects (GET /lookup). A prefix several ids start with is an
 * error (exit 2, code `ambiguous_id`) listing them; a prefix that names nothing is the server's not_found (exit 1).
 * A value that is not hex at all is passed on as an id, so the API answers exactly as it would for an unknown id.
 */
export async function resolveId(client: HiveSyncClient, kind: LookupKind, ref: string): Promise<string> {
  if (UUID.test(ref) || !PREFIX.test(ref)) return ref;
  if (ref.length < MIN_ID_PREFIX) {
    throw usageError(`give at least ${MIN_ID_PREFIX} characters of the ${NOUN[kind]} id, not "${ref}"`);
  }
  try {
    return (await client.lookup.resolve(kind, ref.toLowerCase())).id;
  } catch (err) {
    if (err instanceof HiveSyncError && err.code === 'conflict') throw ambiguous(kind, ref, err);
    throw err;
  }
}

function ambiguous(kind: LookupKind, ref: string, err: HiveSyncError): CliError {
  const listed = err.details?.candidates;
  const candidates = Array.isArray(listed) ? listed.filter((c): c is string => typeof c === 'string') : [];
  const lines = candidates.map((c) => `\n  ${c}`).join('');
  return new CliError(
    'ambiguous_id',
    `${ref} is the start of more than one ${NOUN[kind]} id; give more of it, or one of these:${lines}`,
    EXIT.usage,
  );
}
