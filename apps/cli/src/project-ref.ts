import type { Project } from '@hivesync/core';
import type { HiveSyncClient } from '@hivesync/sdk';
import { usageError } from './errors.js';

// The server's ids are UUIDs: a value shaped like one is taken as an id without asking the server.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id of the project that `ref` names: an id, or the exact name of one of your projects. A name that several of
 * your projects share is a usage error (exit 2) listing their ids. A value that matches nothing is passed on as an
 * id, so the API answers not_found exactly as it would for an unknown id.
 */
export async function resolveProject(client: HiveSyncClient, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  return pickProject((await client.projects.list()).projects, ref) ?? ref;
}

/** The id of the project `ref` names among `projects` (an id first, then an exact name), or undefined. */
export function pickProject(projects: readonly Project[], ref: string): string | undefined {
  if (projects.some((p) => p.id === ref)) return ref;
  const named = projects.filter((p) => p.name === ref);
  if (named.length > 1) {
    throw usageError(
      `${named.length} of your projects are named "${ref}": give the id instead (${named.map((p) => p.id).join(', ')})`,
    );
  }
  return named[0]?.id;
}
