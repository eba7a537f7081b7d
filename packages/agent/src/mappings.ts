import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, errors } from '@hivesync/core';
import type { FolderMapping } from '@hivesync/sdk';
import { normalizeRepoUrl, runGit } from './git.js';
import { writePrivateFile } from './secret-store.js';

interface MappingsFile {
  version: 1;
  mappings: FolderMapping[];
}

/** The project as the mapping check needs it. */
export interface MappedProject {
  id: string;
  repo_url: string | null;
}

/**
 * Folder ↔ project mappings in `~/.hivesync/mappings.json` (0600, written atomically), shared by every plugin
 * through the agent: a plugin opened anywhere inside a mapped folder knows its project without asking.
 */
export class MappingStore {
  constructor(readonly file: string) {}

  /** Every mapping. */
  async list(): Promise<FolderMapping[]> {
    return (await this.read()).mappings;
  }

  /** The mapping of `folder` or of the nearest mapped folder above it. */
  async find(folder: string): Promise<FolderMapping | undefined> {
    const real = await realFolder(folder);
    const all = await this.list();
    return all
      .filter((m) => real === m.folder || real.startsWith(`${m.folder}${path.sep}`))
      .sort((a, b) => b.folder.length - a.folder.length)[0];
  }

  /**
   * Maps a folder to a project after checking that it is a git repository whose remote is the project's
   * repository (unless `force`). `project` is looked up by the caller with the user's rights.
   */
  async put(
    input: { folder: string; force?: boolean; serverUrl: string },
    project: MappedProject,
  ): Promise<FolderMapping> {
    const { folder, remote } = await verifyClone(input.folder, project, input.force === true);
    const mapping: FolderMapping = {
      folder,
      project_id: project.id,
      server_url: input.serverUrl,
      repo_url: project.repo_url,
      remote_url: remote,
      forced: input.force === true,
      created_at: new Date().toISOString(),
    };
    const data = await this.read();
    data.mappings = [...data.mappings.filter((m) => m.folder !== folder), mapping];
    await writePrivateFile(this.file, `${JSON.stringify(data, null, 2)}\n`);
    return mapping;
  }

  /** Removes the mapping of exactly this folder; false when there was none. */
  async remove(folder: string): Promise<boolean> {
    const real = await realFolder(folder).catch(() => path.resolve(folder));
    const data = await this.read();
    const kept = data.mappings.filter((m) => m.folder !== real);
    if (kept.length === data.mappings.length) return false;
    data.mappings = kept;
    await writePrivateFile(this.file, `${JSON.stringify(data, null, 2)}\n`);
    return true;
  }

  private async read(): Promise<MappingsFile> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as Partial<MappingsFile>;
      if (parsed.version === 1 && Array.isArray(parsed.mappings)) return { version: 1, mappings: parsed.mappings };
    } catch {
      // missing or unreadable: no mappings yet
    }
    return { version: 1, mappings: [] };
  }
}

/**
 * Checks that `input` is an existing folder inside a git repository and (unless `force`) that one of its remotes is
 * the project's repository: 400 `validation_error` (`details.reason: not_a_git_repository`) or 409 `conflict`
 * (`remote_mismatch`) with a message saying what to do. Returns the folder's real path and its main remote.
 */
export async function verifyClone(
  input: string,
  project: MappedProject,
  force: boolean,
): Promise<{ folder: string; remote: string | null }> {
  const folder = await realFolder(input);
  try {
    await runGit(folder, ['rev-parse', '--show-toplevel']);
  } catch {
    throw errors.validation(
      `${folder} is not a git repository: pick the folder of a clone (git clone <url>), or run git init there and add the project's repository as a remote.`,
      { field: 'folder', reason: 'not_a_git_repository' },
    );
  }
  const remotes = await remoteUrls(folder);
  const remote = remotes.get('origin') ?? [...remotes.values()][0] ?? null;
  if (!force && project.repo_url) {
    const wanted = normalizeRepoUrl(project.repo_url);
    const matches = [...remotes.values()].some((url) => normalizeRepoUrl(url) === wanted);
    if (!matches) {
      const found = remotes.size === 0 ? 'has no git remote' : `has the remote ${[...remotes.values()].join(', ')}`;
      throw errors.conflict(
        `${folder} ${found}, which is not the project's repository ${project.repo_url}: pick a clone of that repository, add it as a remote (git remote add origin ${project.repo_url}), or map anyway with force.`,
        { field: 'folder', reason: 'remote_mismatch', repo_url: project.repo_url, remotes: [...remotes.values()] },
      );
    }
  }
  return { folder, remote };
}

/** The real path of an existing directory given as an absolute path; a clear validation error otherwise. */
export async function realFolder(folder: string): Promise<string> {
  if (typeof folder !== 'string' || !path.isAbsolute(folder)) {
    throw errors.validation('folder must be an absolute path.', { field: 'folder' });
  }
  let real: string;
  try {
    real = await fs.realpath(folder);
  } catch {
    throw errors.validation(`${folder} does not exist.`, { field: 'folder', reason: 'not_found' });
  }
  if (!(await fs.stat(real)).isDirectory()) {
    throw errors.validation(`${folder} is not a folder.`, { field: 'folder', reason: 'not_a_folder' });
  }
  return real;
}

async function remoteUrls(folder: string): Promise<Map<string, string>> {
  const out = await runGit(folder, ['remote', '-v']).catch(() => '');
  const remotes = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+\(fetch\)$/.exec(line.trim());
    if (m) remotes.set(m[1]!, m[2]!);
  }
  return remotes;
}

/** Whether an error is one of ours (an AppError), to answer with its envelope. */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
