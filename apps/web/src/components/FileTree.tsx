import { useState } from 'react';
import { NavLink } from 'react-router';
import type { TreeEntry } from '@hivesync/sdk';
import { blobPath } from '../lib/permalink.js';
import { useTreeQuery } from '../queries/repo.js';
import { ErrorPanel } from '@hivesync/ui';

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * A project's files at one commit. Folders load their entries when first opened; the folders above `openPath`
 * start open. Plain buttons and links in nested lists: Tab moves through them, Enter opens.
 */
export function FileTree({ projectId, commit, openPath }: { projectId: string; commit: string; openPath: string }) {
  return (
    <nav aria-label="Files" className="file-tree">
      <Folder projectId={projectId} commit={commit} path="" openPath={openPath} />
    </nav>
  );
}

function Folder({
  projectId,
  commit,
  path,
  openPath,
}: {
  projectId: string;
  commit: string;
  path: string;
  openPath: string;
}) {
  const tree = useTreeQuery(projectId, path, commit);
  if (tree.isPending) return <p className="muted small">Loading…</p>;
  if (tree.isError) return <ErrorPanel error={tree.error} />;
  const entries = [...tree.data.entries].sort(
    (a, b) => (a.type === b.type ? 0 : a.type === 'dir' ? -1 : 1) || a.path.localeCompare(b.path),
  );
  return (
    <ul role="list">
      {entries.map((entry) => (
        <Entry key={entry.path} entry={entry} projectId={projectId} commit={commit} openPath={openPath} />
      ))}
    </ul>
  );
}

function Entry({
  entry,
  projectId,
  commit,
  openPath,
}: {
  entry: TreeEntry;
  projectId: string;
  commit: string;
  openPath: string;
}) {
  const [open, setOpen] = useState(() => openPath.startsWith(`${entry.path}/`));
  const name = baseName(entry.path);
  if (entry.type === 'file') {
    return (
      <li>
        <NavLink to={blobPath(projectId, commit, entry.path)} className="tree-file">
          {name}
        </NavLink>
      </li>
    );
  }
  return (
    <li>
      <button type="button" className="tree-dir" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> {name}
      </button>
      {open && <Folder projectId={projectId} commit={commit} path={entry.path} openPath={openPath} />}
    </li>
  );
}
