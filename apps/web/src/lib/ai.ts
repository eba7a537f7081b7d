import type { AiAction, AiJob } from '@hivesync/sdk';
import { projectPath } from './permalink.js';

// The suggestion's words and patch helpers live with the shared review component.
export { STATE_WORDS, cliApplyCommand, gitApplyCommand, hunkKey, patchFileName, patchWithout } from '@hivesync/ui';

/** A project's AI jobs: `/projects/:id/ai`, from `cursor` (a page's `next_cursor`) when given. */
export function aiJobsPath(projectId: string, cursor?: string): string {
  const base = projectPath(projectId, 'ai');
  return cursor ? `${base}?${new URLSearchParams({ cursor }).toString()}` : base;
}

/** One AI job and its suggestion: `/projects/:id/ai/:jobId`. */
export function aiJobPath(projectId: string, jobId: string): string {
  return projectPath(projectId, `ai/${encodeURIComponent(jobId)}`);
}

/** What each action does, as a list or a heading names it. */
export const ACTION_WORDS: Record<AiAction, string> = {
  document_function: 'Document a function',
  document_file: 'Document a file',
  summarize_file: 'Summarize a file',
  rename_symbol: 'Rename a symbol',
  refactor: 'Refactor',
  explain: 'Explain this',
  suggest_fix: 'Suggest a fix',
};

/** A job's status in words. */
export const STATUS_WORDS: Record<AiJob['status'], string> = {
  queued: 'Queued: waiting for a worker',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
};

/** Why a job failed, in words, by its error code (the server's message follows). */
export const FAILURE_WORDS: Record<string, string> = {
  ai_provider_error: 'The AI provider failed',
  file_not_found: 'The file is not in the job’s commit',
  unsupported_language: 'This kind of file is not supported',
  parse_error: 'The file could not be parsed',
  symbol_not_found: 'No function or symbol was found there',
  unsupported_layout: 'There is no line to put a comment above',
  invalid_name: 'The new name is not valid',
  name_collision: 'The new name clashes with an existing one',
  not_renameable: 'This symbol cannot be renamed',
  project_too_large: 'The project is too large for this job',
  internal_error: 'The job failed on the server',
};

/** Files the server documents (TypeScript, JavaScript, Python, Go). */
export const DOCUMENTABLE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py|pyi|go)$/;
/** Files the server renames in (TypeScript and JavaScript). */
export const RENAMEABLE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// JavaScript's reserved words (and TypeScript's strict-mode ones): the server refuses them as new names.
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await'
  ).split(' '),
);

/** Whether `text` is one identifier (letters, digits, `_` and `$`, not starting with a digit). */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** What is wrong with a rename, field by field (empty when it may be sent). */
export function renameProblems(symbol: string, newName: string): { symbol?: string; newName?: string } {
  const problems: { symbol?: string; newName?: string } = {};
  const s = symbol.trim();
  const n = newName.trim();
  if (!s) problems.symbol = 'Enter the name to rename.';
  else if (!isIdentifier(s)) problems.symbol = `“${s}” is not one identifier (letters, digits, _ and $).`;
  if (!n) problems.newName = 'Enter the new name.';
  else if (!isIdentifier(n))
    problems.newName = `“${n}” is not a valid identifier: use letters, digits, _ and $, not starting with a digit.`;
  else if (RESERVED.has(n)) problems.newName = `“${n}” is a reserved word.`;
  else if (n === s) problems.newName = 'The new name is the current name.';
  return problems;
}

/**
 * The name a line declares, to prefill a rename: `function sendfile(`, `exports.etag = …`, `const x =`, `class A`,
 * `def f(`, `func F(`; null when the line declares nothing recognisable.
 */
export function declaredName(line: string): string | null {
  const patterns = [
    /\b(?:function\*?|class|interface|type|enum|def|func)\s+\*?\s*([A-Za-z_$][\w$]*)/,
    /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)/,
    /^\s*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/,
    /^\s*[A-Za-z_$][\w$]*\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?function\b/,
    /^\s*(?:public |private |protected |static |async |readonly )*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*[:{]/,
  ];
  for (const p of patterns) {
    const m = p.exec(line);
    if (m?.[1] && !RESERVED.has(m[1])) return m[1];
  }
  return null;
}
