import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Diff, DiffFile, DiffHunk, DiffLine } from '@hivesync/sdk';
import type { FileTokens, Token } from './diff-highlight.js';
import { highlightable, splitRows } from './diff-rows.js';
import { blobPath } from './paths.js';
import './diff.css';

/** Unified (one column, old and new interleaved) or split (old on the left, new on the right). */
export type DiffLayout = 'unified' | 'split';

/**
 * Something drawn at the start of each hunk's `@@` row (a review's "include this hunk" box, for one), given the file,
 * the file's index in the diff, the hunk and its index in the file.
 */
export type HunkControl = (file: DiffFile, fileIndex: number, hunk: DiffHunk, hunkIndex: number) => ReactNode;

/** Above this many changed lines a file's diff starts collapsed, so that one huge file does not bury the others. */
export const COLLAPSE_ABOVE_LINES = 400;

const STATUS_WORDS: Record<DiffFile['status'], string> = {
  added: 'added',
  modified: 'modified',
  deleted: 'deleted',
  renamed: 'renamed',
};

/**
 * A whole diff (a commit's, or between two commits): the counts, the unified/split switch (kept in the address as
 * `?view=split`), the server's truncation note, the list of files, then each file.
 */
export function DiffBody({
  projectId,
  diff,
  hunkControl,
  fileLinks = true,
}: {
  projectId: string;
  diff: Diff;
  /** Drawn in each hunk's `@@` row; nothing when not given. */
  hunkControl?: HunkControl;
  /** Whether each file links to the web app's file view (`/projects/:id/blob/…`); the desktop app has none. */
  fileLinks?: boolean;
}) {
  const [params, setParams] = useSearchParams();
  const layout: DiffLayout = params.get('view') === 'split' ? 'split' : 'unified';
  const setLayout = (next: DiffLayout) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next === 'split') updated.set('view', 'split');
        else updated.delete('view');
        return updated;
      },
      { replace: true, preventScrollReset: true },
    );
  return (
    <>
      <div className="page-head">
        <h2>
          {diff.total_files} {diff.total_files === 1 ? 'file' : 'files'} changed{' '}
          <DiffCounts additions={diff.additions} deletions={diff.deletions} />
        </h2>
        <div className="segmented" role="group" aria-label="Diff layout">
          <button type="button" aria-pressed={layout === 'unified'} onClick={() => setLayout('unified')}>
            Unified
          </button>
          <button type="button" aria-pressed={layout === 'split'} onClick={() => setLayout('split')}>
            Split
          </button>
        </div>
      </div>
      {diff.truncated && (
        <p className="notice">
          This diff is too large to show in full: the server truncated it
          {diff.files.length < diff.total_files
            ? `, and only ${diff.files.length} of the ${diff.total_files} files are listed.`
            : ', and some files are listed without all their changes.'}
        </p>
      )}
      {diff.total_files === 0 && <p>No file differs.</p>}
      <nav aria-label="Changed files">
        <ul className="diff-file-list">
          {diff.files.map((f, i) => (
            <li key={`${f.path}-${i}`}>
              <a href={`#${diffAnchor(i)}`}>{f.path}</a> <span className="muted small">{f.status}</span>{' '}
              {f.binary ? (
                <span className="muted small">binary</span>
              ) : (
                <DiffCounts additions={f.additions} deletions={f.deletions} />
              )}
              {f.truncated && <span className="muted small"> truncated</span>}
            </li>
          ))}
        </ul>
      </nav>
      {diff.files.map((f, i) => (
        <DiffFileView
          key={`${f.path}-${i}`}
          projectId={projectId}
          file={f}
          index={i}
          from={diff.from}
          to={diff.to}
          layout={layout}
          fileLinks={fileLinks}
          {...(hunkControl && { hunkControl })}
        />
      ))}
    </>
  );
}

/** The anchor of a file's diff in the page (`#diff-3`), for the file list's links. */
export function diffAnchor(index: number): string {
  return `diff-${index}`;
}

/**
 * One file of a diff: its name, status and counts, then its hunks as a table (old and new line numbers, the change,
 * the text, highlighted once its language's grammar has loaded; markup in the source stays text). Binary files are named as such; files the server cut short say so and start collapsed,
 * like very large ones.
 */
export function DiffFileView({
  projectId,
  file,
  index,
  from,
  to,
  layout,
  hunkControl,
  fileLinks = true,
}: {
  projectId: string;
  file: DiffFile;
  index: number;
  /** The old side's commit (null for a root commit), to link to a deleted file. */
  from: string | null;
  to: string;
  layout: DiffLayout;
  hunkControl?: HunkControl;
  /** Whether to link to the file's view at its commit (see DiffBody). */
  fileLinks?: boolean;
}) {
  const changed = file.additions + file.deletions;
  const large = changed > COLLAPSE_ABOVE_LINES;
  const [open, setOpen] = useState(!file.truncated && !large);
  const hasHunks = file.hunks.length > 0;
  const bodyId = `${diffAnchor(index)}-body`;
  const viewAt = file.status === 'deleted' ? from : to;
  const viewPath = file.status === 'deleted' ? (file.old_path ?? file.path) : file.path;
  const tokens = useDiffTokens(file, hasHunks && open);

  return (
    <section className="diff-file" aria-labelledby={diffAnchor(index)}>
      <header className="diff-file-head">
        <h3 id={diffAnchor(index)} tabIndex={-1}>
          {file.status === 'renamed' && file.old_path ? (
            <>
              {file.old_path} <span aria-hidden="true">→</span>
              <span className="visually-hidden">renamed to</span> {file.path}
            </>
          ) : (
            file.path
          )}
        </h3>
        <span className={`diff-status ${file.status}`}>{STATUS_WORDS[file.status]}</span>
        <DiffCounts additions={file.additions} deletions={file.deletions} />
        <span className="diff-file-actions">
          {hasHunks && (
            <button type="button" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen(!open)}>
              {open ? 'Hide diff' : 'Show diff'}
              <span className="visually-hidden"> of {file.path}</span>
            </button>
          )}
          {fileLinks && viewAt && (
            <Link to={blobPath(projectId, viewAt, viewPath)}>
              View file<span className="visually-hidden"> {viewPath}</span>
            </Link>
          )}
        </span>
      </header>
      {file.binary && <p className="diff-note">Binary file, not shown.</p>}
      {file.truncated && (
        <p className="diff-note">
          This file's diff is too large to show in full: the server truncated it
          {hasHunks ? ', and only its first hunks are here.' : '.'}
        </p>
      )}
      {!file.binary && !file.truncated && !hasHunks && (
        <p className="diff-note">No line changed (a change of mode or an empty file).</p>
      )}
      {!open && large && !file.truncated && (
        <p className="diff-note">A large diff ({changed} lines changed) is collapsed.</p>
      )}
      {hasHunks && open && (
        <div id={bodyId}>
          {layout === 'split' ? (
            <SplitTable
              file={file}
              tokens={tokens}
              control={hunkControl && ((hunk, h) => hunkControl(file, index, hunk, h))}
            />
          ) : (
            <UnifiedTable
              file={file}
              tokens={tokens}
              control={hunkControl && ((hunk, h) => hunkControl(file, index, hunk, h))}
            />
          )}
        </div>
      )}
    </section>
  );
}

/** "+12 −3", with words for screen readers. */
export function DiffCounts({ additions, deletions }: { additions: number; deletions: number }) {
  return (
    <span className="diff-counts">
      <span className="count-add">
        +{additions}
        <span className="visually-hidden"> {additions === 1 ? 'addition' : 'additions'}</span>
      </span>{' '}
      <span className="count-del">
        −{deletions}
        <span className="visually-hidden"> {deletions === 1 ? 'deletion' : 'deletions'}</span>
      </span>
    </span>
  );
}

const MARKERS: Record<DiffLine['type'], string> = { add: '+', delete: '−', context: '' };

function hunkHeader(h: DiffHunk): string {
  return `@@ -${h.old_start},${h.old_lines} +${h.new_start},${h.new_lines} @@${h.heading ? ` ${h.heading}` : ''}`;
}

/**
 * The syntax tokens of a file's lines once its language's grammar has loaded (null before, and for a file too large,
 * of an unknown language, or closed): the highlighter and the grammar load only when a diff is shown.
 */
function useDiffTokens(file: DiffFile, shown: boolean): FileTokens | null {
  const [result, setResult] = useState<{ file: DiffFile; tokens: FileTokens } | null>(null);
  const wanted = shown && highlightable(file);
  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    import('./diff-highlight.js')
      .then((m) => m.highlightDiffFile(file))
      .then((tokens) => {
        if (!cancelled && tokens) setResult({ file, tokens });
      })
      // A grammar that fails to load or parse leaves the diff as text, which it already is.
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [file, wanted]);
  return wanted && result?.file === file ? result.tokens : null;
}

/** A line's text: its tokens as spans with the highlighter's classes when there are any, else the text as it is. */
function LineText({ line, tokens }: { line: DiffLine | undefined; tokens?: Token[] | undefined }) {
  if (!line) return null;
  return (
    <>
      {tokens
        ? tokens.map((t, i) =>
            t.className ? (
              <span key={i} className={t.className}>
                {t.text}
              </span>
            ) : (
              <Fragment key={i}>{t.text}</Fragment>
            ),
          )
        : line.text}
      {line.no_newline && <span className="no-newline"> (no newline at end of file)</span>}
    </>
  );
}

/** The table's column headers, read by screen readers only. */
function ColumnHeaders({ labels }: { labels: string[] }) {
  return (
    <thead>
      <tr>
        {labels.map((label) => (
          <th scope="col" key={label}>
            <span className="visually-hidden">{label}</span>
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A hunk's `@@ … @@` line, across all `columns`, after what `control` draws for it. */
function HunkRow({ hunk, columns, control }: { hunk: DiffHunk; columns: number; control?: ReactNode }) {
  return (
    <tr className="hunk">
      <td colSpan={columns}>
        {control}
        {hunkHeader(hunk)}
      </td>
    </tr>
  );
}

/** What a table draws at the start of a hunk's row, given the hunk and its index in the file. */
type RowControl = ((hunk: DiffHunk, hunkIndex: number) => ReactNode) | undefined;

function UnifiedTable({ file, tokens, control }: { file: DiffFile; tokens: FileTokens | null; control: RowControl }) {
  return (
    <table className="diff-table unified">
      <caption className="visually-hidden">Changes to {file.path}</caption>
      <ColumnHeaders labels={['Old line', 'New line', 'Change', 'Text']} />
      {file.hunks.map((hunk, h) => (
        <tbody key={h}>
          <HunkRow hunk={hunk} columns={4} control={control?.(hunk, h)} />
          {hunk.lines.map((line, i) => (
            <tr key={i} className={line.type}>
              <td className="num">{line.old_line ?? ''}</td>
              <td className="num">{line.new_line ?? ''}</td>
              <td className="marker">{MARKERS[line.type]}</td>
              <td className="code">
                <LineText line={line} tokens={(line.type === 'delete' ? tokens?.old : tokens?.new)?.get(line)} />
              </td>
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}

function SplitTable({ file, tokens, control }: { file: DiffFile; tokens: FileTokens | null; control: RowControl }) {
  const side = (
    line: DiffLine | undefined,
    number: number | null | undefined,
    sideTokens: Map<DiffLine, Token[]> | undefined,
  ) => {
    const cls = line ? line.type : 'empty';
    return (
      <>
        <td className={`num ${cls}`}>{number ?? ''}</td>
        <td className={`marker ${cls}`}>{line ? MARKERS[line.type] : ''}</td>
        <td className={`code ${cls}`}>
          <LineText line={line} tokens={line && sideTokens?.get(line)} />
        </td>
      </>
    );
  };
  return (
    <table className="diff-table split">
      <caption className="visually-hidden">Changes to {file.path}, old and new side by side</caption>
      <ColumnHeaders labels={['Old line', 'Old change', 'Old text', 'New line', 'New change', 'New text']} />
      {file.hunks.map((hunk, h) => (
        <tbody key={h}>
          <HunkRow hunk={hunk} columns={6} control={control?.(hunk, h)} />
          {splitRows(hunk.lines).map((row, i) => (
            <tr key={i}>
              {side(row.left, row.left?.old_line, tokens?.old)}
              {side(row.right, row.right?.new_line, tokens?.new)}
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}
