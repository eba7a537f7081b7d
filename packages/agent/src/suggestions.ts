import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, errors } from '@hivesync/core';
import type {
  AppliedFile,
  ApplyConflictDetails,
  ApplyConflictFile,
  ApplySuggestionResult,
  HiveSyncClient,
  RevertSuggestionResult,
  Suggestion,
} from '@hivesync/sdk';
import {
  appliesExactly,
  applyPatch,
  checkPatch,
  describeClash,
  git,
  intendedContent,
  patchFilePaths,
  PatchError,
  restoreFiles,
  withBaseBlobs,
  workingCopy,
  type AppliedChange,
} from './apply.js';
import { upstreamError } from './envelope.js';
import { realFolder, verifyClone, type MappingStore } from './mappings.js';
import { writePrivateFile } from './secret-store.js';

/** What applying and reverting suggestions needs. */
export interface SuggestionsDeps {
  /** The agent's own client (the user's session). */
  client: HiveSyncClient;
  mappings: MappingStore;
  /** Where the records of applied suggestions are kept (0700; each record 0600). */
  recordsDir: string;
}

/** What the agent wrote for a suggestion, so that a revert puts exactly the same files back. */
interface ApplyRecord {
  version: 1;
  suggestion_id: string;
  project_id: string;
  folder: string;
  changes: AppliedChange[];
  three_way: boolean;
  applied_at: string;
}

const ID = /^[\w-]{1,64}$/;

/**
 * Applies an approved suggestion's patch to a folder's working tree (the given one, else the mapping of the
 * suggestion's project): as it is, or merged three-way with the folder's changes since the job's commit; all or
 * nothing, each file written atomically. A patch that does not apply answers 409 `conflict` with the files, the hunks
 * that clash and the ours/theirs text, and no file is touched. Then records what was written (for the revert) and
 * marks the suggestion applied on the server.
 */
export async function applySuggestion(
  deps: SuggestionsDeps,
  id: string,
  folderInput: string | undefined,
): Promise<ApplySuggestionResult> {
  const { suggestion, projectId, commit } = await load(deps, id);
  const recorded = await readRecord(deps, id);
  if (suggestion.state !== 'approved') {
    throw errors.conflict(
      suggestion.state === 'proposed'
        ? `Suggestion ${id} is not approved yet: approve it, then apply it.`
        : `Suggestion ${id} is ${suggestion.state}: only an approved suggestion can be applied.`,
      { reason: 'state', state: suggestion.state, allowed: ['approved'] },
    );
  }
  const folder = await folderFor(deps, projectId, folderInput);
  const root = await gitRoot(folder);
  let record = recorded && recorded.folder === root ? recorded : undefined;
  // Written here before, but the server was not told (it did not answer): only tell it now.
  if (!record) {
    let patch = suggestion.patch;
    let threeWay = false;
    if (!(await appliesExactly(root, patch))) {
      threeWay = true;
      if (!(await checkPatch(root, patch)).ok) {
        const named = commit ? await withBaseBlobs(root, suggestion.patch, commit) : undefined;
        if (named && (await checkPatch(root, named)).ok) patch = named;
        else throw await conflict(root, named ?? suggestion.patch, commit, 'patch_conflict', id);
      }
    }
    let changes: AppliedChange[];
    try {
      changes = await applyPatch(root, patch);
    } catch (err) {
      if (err instanceof PatchError) throw await conflict(root, patch, commit, 'patch_conflict', id, err.message);
      throw err;
    }
    record = {
      version: 1,
      suggestion_id: id,
      project_id: projectId,
      folder: root,
      changes,
      three_way: threeWay,
      applied_at: new Date().toISOString(),
    };
    await writeRecord(deps, record);
  }
  let applied: Suggestion;
  try {
    applied = await deps.client.ai.markApplied(id);
  } catch (err) {
    const e = upstreamError(err);
    throw new AppError(
      e.code,
      `${e.message} The files in ${root} were changed, but the server does not know yet: apply again to report it.`,
      { details: { ...e.details, files_written: true } },
    );
  }
  return {
    suggestion_id: id,
    project_id: projectId,
    folder: root,
    files: record.changes.map(appliedFile),
    three_way: record.three_way,
    suggestion_status: applied.state,
    applied_at: record.applied_at,
  };
}

/**
 * Reverts an applied suggestion: puts back the files the agent's record names exactly as they were before, when
 * they are still what the apply wrote (409 `conflict`, `changed_since_apply`, otherwise, nothing touched); without a
 * record (applied elsewhere, e.g. by the CLI), applies the patch backwards. Then marks it reverted on the server.
 */
export async function revertSuggestion(
  deps: SuggestionsDeps,
  id: string,
  folderInput: string | undefined,
): Promise<RevertSuggestionResult> {
  const { suggestion, projectId, commit } = await load(deps, id);
  if (suggestion.state !== 'applied') {
    throw errors.conflict(`Suggestion ${id} is ${suggestion.state}: only an applied suggestion can be reverted.`, {
      reason: 'state',
      state: suggestion.state,
      allowed: ['applied'],
    });
  }
  const record = await readRecord(deps, id);
  let root: string;
  let files: AppliedFile[];
  if (record) {
    root = record.folder;
    if (folderInput !== undefined && (await gitRoot(await realFolder(folderInput))) !== root) {
      throw errors.validation(`Suggestion ${id} was applied to ${root}, not to ${folderInput}.`, {
        field: 'folder',
        reason: 'other_folder',
      });
    }
    try {
      await restoreFiles(root, record.changes);
    } catch (err) {
      if (!(err instanceof PatchError)) throw err;
      throw await changedSince(root, record, err.message);
    }
    files = record.changes.map((c) => appliedFile({ ...c, before: c.after, after: c.before }));
  } else {
    root = await gitRoot(await folderFor(deps, projectId, folderInput));
    if (!(await appliesExactly(root, suggestion.patch, { reverse: true }))) {
      if (!(await checkPatch(root, suggestion.patch, { reverse: true })).ok) {
        throw await conflict(root, suggestion.patch, commit, 'changed_since_apply', id);
      }
    }
    const changes = await applyPatch(root, suggestion.patch, { reverse: true });
    files = changes.map(appliedFile);
  }
  const reverted = await deps.client.ai.markReverted(id).catch((err: unknown) => {
    const e = upstreamError(err);
    throw new AppError(
      e.code,
      `${e.message} The files in ${root} were put back, but the server does not know yet: report it with \`hivesync revert ${id}\`.`,
      { details: { ...e.details, files_written: true } },
    );
  });
  await fs.rm(recordFile(deps, id), { force: true });
  return {
    suggestion_id: id,
    project_id: projectId,
    folder: root,
    files,
    suggestion_status: reverted.state,
    reverted_at: new Date().toISOString(),
  };
}

// The suggestion and its job (project, commit) as the user may see them: the server's 404 for anyone else's.
async function load(
  deps: SuggestionsDeps,
  id: string,
): Promise<{ suggestion: Suggestion; projectId: string; commit: string | undefined }> {
  if (!ID.test(id)) throw errors.notFound('suggestion');
  try {
    const suggestion = await deps.client.ai.suggestion(id);
    const job = await deps.client.ai.get(suggestion.job_id);
    return {
      suggestion,
      projectId: job.project_id,
      commit: /^[0-9a-f]{7,64}$/.test(job.commit) ? job.commit : undefined,
    };
  } catch (err) {
    throw upstreamError(err);
  }
}

/**
 * The folder to apply in: the given one (which must be the project's: a folder mapped to another project answers
 * 404 as if the suggestion did not exist there; an unmapped one must be a clone of the project's repository), else
 * the folder mapped to the project.
 */
async function folderFor(deps: SuggestionsDeps, projectId: string, input: string | undefined): Promise<string> {
  if (input === undefined) {
    const mapped = (await deps.mappings.list()).filter((m) => m.project_id === projectId);
    if (mapped.length === 0) {
      throw errors.validation(
        'No folder is mapped to this suggestion’s project: map your clone to it (PUT /mappings), or say which folder.',
        { field: 'folder', reason: 'no_mapping' },
      );
    }
    return (await verifyClone(mapped[0]!.folder, { id: projectId, repo_url: null }, true)).folder;
  }
  if (typeof input !== 'string') throw errors.validation('folder must be an absolute path.', { field: 'folder' });
  const mapping = await deps.mappings.find(await realFolder(input));
  if (mapping && mapping.project_id !== projectId) throw errors.notFound('suggestion in the project of this folder');
  if (mapping) return (await verifyClone(input, { id: projectId, repo_url: null }, true)).folder;
  let project;
  try {
    project = await deps.client.projects.get(projectId);
  } catch (err) {
    throw upstreamError(err);
  }
  return (await verifyClone(input, project, false)).folder;
}

async function gitRoot(folder: string): Promise<string> {
  try {
    return await workingCopy(folder);
  } catch (err) {
    if (err instanceof PatchError && err.code === 'not_a_git_repository') {
      throw errors.validation(err.message, { field: 'folder', reason: 'not_a_git_repository' });
    }
    throw err;
  }
}

// The 409 a UI shows as a conflict view: per file, the hunks that do not apply and both sides.
async function conflict(
  root: string,
  patch: string,
  commit: string | undefined,
  reason: ApplyConflictDetails['reason'],
  id: string,
  why?: string,
): Promise<AppError> {
  const clash = await describeClash(root, patch, commit);
  const paths = [
    ...new Set([...clash.hunks.map((h) => h.path), ...(clash.hunks.length === 0 ? patchFilePaths(patch) : [])]),
  ];
  const files: ApplyConflictFile[] = [];
  for (const p of paths) {
    const hunks = clash.hunks.filter((h) => h.path === p);
    const ours = await readText(path.join(root, p));
    files.push({
      path: p,
      reason: hunks.some((h) => h.header === '')
        ? 'missing'
        : reason === 'changed_since_apply'
          ? 'changed'
          : 'conflict',
      hunks: hunks
        .filter((h) => h.header !== '')
        .map((h) => ({ header: h.header, lines: h.lines, message: h.message })),
      ours,
      theirs: await intendedContent(root, patch, p, commit),
    });
  }
  const details: ApplyConflictDetails = { reason, folder: root, files };
  const what = reason === 'patch_conflict' ? 'cannot be applied' : 'cannot be reverted (the files changed since)';
  const hint = clash.missingOriginal
    ? " This repository does not have the job's commit: fetch it (or pull) and try again, so that git can merge."
    : '';
  return errors.conflict(
    `Suggestion ${id} ${what} in ${root}; nothing was changed.${why ? ` ${why.split('\n')[0]}` : ''}${hint}`,
    { ...details },
  );
}

async function changedSince(root: string, record: ApplyRecord, why: string): Promise<AppError> {
  const files: ApplyConflictFile[] = [];
  for (const c of record.changes) {
    const ours = await readText(path.join(root, c.path));
    const wrote = c.after === null ? null : await blobText(root, c.after);
    if (ours === wrote) continue;
    files.push({ path: c.path, reason: 'changed', hunks: [], ours, theirs: wrote });
  }
  const details: ApplyConflictDetails = { reason: 'changed_since_apply', folder: root, files };
  return errors.conflict(
    `Suggestion ${record.suggestion_id} cannot be reverted in ${root}; nothing was changed: ${why}.`,
    { ...details },
  );
}

function appliedFile(c: AppliedChange): AppliedFile {
  return { path: c.path, change: c.before === null ? 'added' : c.after === null ? 'deleted' : 'modified' };
}

async function readText(file: string): Promise<string | null> {
  const bytes = await fs.readFile(file).catch(() => undefined);
  return bytes === undefined || bytes.includes(0) ? null : bytes.toString('utf8');
}

async function blobText(root: string, blob: string): Promise<string | null> {
  const out = await git(['cat-file', 'blob', blob], root);
  return out.code === 0 ? out.stdout : null;
}

function recordFile(deps: SuggestionsDeps, id: string): string {
  return path.join(deps.recordsDir, `${id}.json`);
}

async function readRecord(deps: SuggestionsDeps, id: string): Promise<ApplyRecord | undefined> {
  try {
    const record = JSON.parse(await fs.readFile(recordFile(deps, id), 'utf8')) as ApplyRecord;
    return record.version === 1 && record.suggestion_id === id ? record : undefined;
  } catch {
    return undefined;
  }
}

async function writeRecord(deps: SuggestionsDeps, record: ApplyRecord): Promise<void> {
  await fs.mkdir(deps.recordsDir, { recursive: true, mode: 0o700 });
  await writePrivateFile(recordFile(deps, record.suggestion_id), `${JSON.stringify(record, null, 2)}\n`);
}
