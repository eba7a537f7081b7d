import type { Commit, Diff, DiffFile, DiffFileStatus, DiffHunk, DiffLine } from '@hivesync/core';
import { GitError, type Git } from '../../infra/git.js';
import type { MirrorStore, MirrorView } from './mirror.repository.js';

/** The empty tree (SHA-1): what a root commit is compared with. git knows it without it being stored. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

// Reads answer a person waiting on a page: none may run longer than this.
const READ_TIMEOUT_MS = 30_000;
// A file list (raw + numstat) larger than this is a change no page can show: refused instead of read.
const MAX_LISTING_BYTES = 64 * 1024 * 1024;
// Commit messages are a person's text; one far longer than a page is cut (with an ellipsis).
const MAX_BODY_CHARS = 64 * 1024;
// What one line costs in the JSON answer beyond its text: {"type":"context","old_line":…,"new_line":…,"text":""}.
const LINE_OVERHEAD_BYTES = 60;
const FULL_HASH = /^[0-9a-f]{40}$/;

/** A revision could not be resolved because its abbreviation names several objects. */
export class AmbiguousRef extends Error {
  constructor(readonly ref: string) {
    super(`"${ref}" is an ambiguous abbreviation`);
    this.name = 'AmbiguousRef';
  }
}

/** The caps of one diff answer. */
export interface DiffLimits {
  /** Patch text of one file, in bytes; past it the file's hunks stop and it says `truncated`. */
  maxFileBytes: number;
  /** The answer's size (about, as JSON); past it the remaining files come without hunks. */
  maxBytes: number;
  /** Files listed; the others only counted. */
  maxFiles: number;
}

/** A diff with what it costs in memory (about), for the cache. */
export interface SizedDiff {
  diff: Diff;
  bytes: number;
}

/**
 * History reads over a mirror's bare repository: resolving revisions, the commit log and diffs between commits.
 * Every revision handed to git here is a full hash this class resolved (or `refs/heads/<name>` of a name the API
 * validated), placed where git cannot read it as an option; paths go after `--` and are literal
 * (GIT_LITERAL_PATHSPECS). Each git call is time-limited.
 */
export class HistoryStore {
  constructor(
    private readonly git: Git,
    /** Marks a mirror damaged when git reports a damaged object (a sync then re-clones it). */
    private readonly mirrors: Pick<MirrorStore, 'damagedBy'>,
  ) {}

  private async run(view: MirrorView, args: string[], maxStdoutBytes?: number): Promise<Buffer> {
    try {
      return await this.git.run(args, { gitDir: view.gitDir, timeoutMs: READ_TIMEOUT_MS, maxStdoutBytes });
    } catch (err) {
      throw (await this.mirrors.damagedBy(view, err)) ?? err;
    }
  }

  /**
   * The commit a client's ref names in the mirror, or undefined: a full hash of a commit the mirror holds, else the
   * branch `refs/heads/<ref>`, else an unambiguous abbreviated hash. Throws AmbiguousRef for an abbreviation that
   * names several objects. `ref` must already have passed the API's GitRef rules.
   */
  async resolve(view: MirrorView, ref: string): Promise<string | undefined> {
    const hex = /^[0-9a-fA-F]{4,40}$/.test(ref) ? ref.toLowerCase() : undefined;
    if (hex && FULL_HASH.test(hex)) return (await this.verify(view, hex)) ? hex : undefined;
    const branch = await this.verify(view, `refs/heads/${ref}`);
    if (branch) return branch;
    if (!hex) return undefined;
    return this.verify(view, hex, true);
  }

  /** The commit a hash (4 to 40 hex digits) names, or undefined; branches are not looked at. */
  async resolveCommit(view: MirrorView, hash: string): Promise<string | undefined> {
    const hex = hash.toLowerCase();
    if (!/^[0-9a-f]{4,40}$/.test(hex)) return undefined;
    return FULL_HASH.test(hex) ? ((await this.verify(view, hex)) ? hex : undefined) : this.verify(view, hex, true);
  }

  /** `rev-parse --verify` of `<rev>^{commit}`: the commit's full hash, or undefined when there is none. */
  private async verify(view: MirrorView, rev: string, abbreviated = false): Promise<string | undefined> {
    try {
      const out = await this.run(view, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
      const sha = out.toString().trim();
      return FULL_HASH.test(sha) ? sha : undefined;
    } catch (err) {
      if (!(err instanceof GitError) || err.timedOut) throw err;
      if (abbreviated && /ambiguous/i.test(err.stderr)) throw new AmbiguousRef(rev);
      return undefined;
    }
  }

  /**
   * Up to `limit` commits of the history of `head` (a full hash), newest first, after skipping `skip`; only those
   * touching `path` when given. git's default order for one starting commit is fixed, so skip counts are stable.
   */
  async log(
    view: MirrorView,
    head: string,
    options: { path?: string; skip: number; limit: number },
  ): Promise<Commit[]> {
    const out = await this.run(
      view,
      [
        'log',
        '--no-color',
        '--no-decorate',
        '--no-show-signature',
        '-z',
        `--format=${LOG_FORMAT}`,
        `--skip=${options.skip}`,
        `--max-count=${options.limit}`,
        head,
        '--',
        ...(options.path ? [options.path] : []),
      ],
      // Messages are bounded per commit below; this bounds what git may send before that.
      32 * 1024 * 1024,
    );
    return parseLog(out);
  }

  /** One commit, or undefined when `sha` (a full hash) is not a commit of the mirror. */
  async commit(view: MirrorView, sha: string): Promise<Commit | undefined> {
    return (await this.log(view, sha, { skip: 0, limit: 1 }))[0];
  }

  /**
   * The diff from `from` (a commit, or null for the empty tree) to `to`, with rename detection: the file list from
   * `git diff --raw --numstat -z`, the hunks from `git diff --patch` read line by line and stopped at the caps.
   */
  async diff(view: MirrorView, from: string | null, to: string, limits: DiffLimits): Promise<SizedDiff> {
    const base = from ?? EMPTY_TREE;
    const common = ['--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', '--no-abbrev'];
    const listing = await this.run(
      view,
      ['diff', '--raw', '--numstat', '-z', ...common, base, to, '--'],
      MAX_LISTING_BYTES,
    );
    const entries = parseListing(listing);
    const files: DiffFile[] = entries.slice(0, limits.maxFiles).map((e) => ({
      path: e.path,
      old_path: e.status === 'renamed' ? e.oldPath : null,
      status: e.status,
      old_mode: e.oldMode,
      new_mode: e.newMode,
      additions: e.additions,
      deletions: e.deletions,
      binary: e.binary,
      truncated: false,
      hunks: [],
    }));
    let additions = 0;
    let deletions = 0;
    for (const e of entries) {
      additions += e.additions;
      deletions += e.deletions;
    }
    let bytes = 256 + files.reduce((n, f) => n + 2 * (f.path.length + (f.old_path?.length ?? 0)) + 200, 0);
    let truncated = entries.length > files.length;
    if (files.some(mayHaveHunks)) {
      const parser = new PatchParser(entries, files, limits, bytes);
      // The callback runs inside the process helper's message handler: it must never throw, so a parse failure
      // stops git and is thrown here instead.
      let failure: unknown;
      const { stopped } = await this.git
        .stream(
          ['diff', '--patch', '--unified=3', ...common, base, to, '--'],
          { gitDir: view.gitDir, timeoutMs: READ_TIMEOUT_MS },
          (line) => {
            try {
              return parser.line(line);
            } catch (err) {
              failure = err;
              return false;
            }
          },
        )
        .catch(async (err: unknown) => {
          throw (await this.mirrors.damagedBy(view, err)) ?? err;
        });
      if (failure) throw failure;
      parser.end(stopped);
      bytes = parser.bytes;
      truncated ||= parser.capped;
    }
    return {
      diff: { from, to, files, total_files: entries.length, additions, deletions, truncated },
      bytes: bytes * 2,
    };
  }
}

// Fields of one commit, NUL-separated; `-z` ends each commit with a NUL too.
const LOG_FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%s', '%b'];
const LOG_FORMAT = LOG_FIELDS.join('%x00');

/** Parses `git log -z --format=LOG_FORMAT` output. */
export function parseLog(out: Buffer): Commit[] {
  const parts = out.toString('utf8').split('\0');
  const commits: Commit[] = [];
  for (let i = 0; i + LOG_FIELDS.length <= parts.length; i += LOG_FIELDS.length) {
    const [sha, parents, an, ae, ad, cn, ce, cd, subject, body] = parts.slice(i, i + LOG_FIELDS.length) as string[];
    if (!FULL_HASH.test(sha!.trim())) break;
    const text = body!.replace(/\s+$/, '');
    commits.push({
      sha: sha!.trim(),
      parents: parents!.split(' ').filter(Boolean),
      author: { name: an!, email: ae! },
      authored_at: utc(ad!),
      committer: { name: cn!, email: ce! },
      committed_at: utc(cd!),
      subject: subject!,
      body: text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text,
    });
  }
  return commits;
}

/** A git date (strict ISO 8601 with the author's offset) as the API's UTC timestamp. */
function utc(date: string): string {
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/** One changed file as the listing gives it. */
export interface ListedFile {
  path: string;
  oldPath: string;
  status: DiffFileStatus;
  /** git's own letter: T (type change) is listed as modified, but its patch comes as two sections. */
  letter: string;
  oldMode: string | null;
  newMode: string | null;
  additions: number;
  deletions: number;
  binary: boolean;
}

const STATUS: Record<string, DiffFileStatus> = { A: 'added', D: 'deleted', M: 'modified', T: 'modified', R: 'renamed' };

/**
 * Parses `git diff --raw --numstat -z`: first one raw record per file (`:<old mode> <new mode> <old> <new>
 * <status>` NUL path NUL, or two paths for a rename), then one numstat record per file in the same order
 * (`<added>\t<deleted>\t<path>` NUL, or `<added>\t<deleted>\t` NUL old NUL new NUL for a rename; `-` for binary).
 */
export function parseListing(out: Buffer): ListedFile[] {
  const tokens = out.toString('utf8').split('\0');
  const files: ListedFile[] = [];
  let numstat = 0;
  for (let i = 0; i < tokens.length;) {
    const token = tokens[i]!;
    if (token === '' && i === tokens.length - 1) break;
    if (token.startsWith(':')) {
      const [oldMode, newMode, , , status] = token.slice(1).split(' ') as string[];
      const letter = status!.charAt(0);
      const two = letter === 'R' || letter === 'C';
      const oldPath = tokens[i + 1]!;
      const path = two ? tokens[i + 2]! : oldPath;
      files.push({
        path,
        oldPath,
        // Copies are not looked for (no --find-copies); should one come, the new file is an added one.
        status: STATUS[letter] ?? (letter === 'C' ? 'added' : 'modified'),
        letter,
        oldMode: oldMode === '000000' ? null : oldMode!,
        newMode: newMode === '000000' ? null : newMode!,
        additions: 0,
        deletions: 0,
        binary: false,
      });
      i += two ? 3 : 2;
      continue;
    }
    const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
    if (!m) throw new Error('unexpected output of git diff --numstat');
    const file = files[numstat++];
    if (!file) throw new Error('git diff --numstat listed more files than --raw');
    file.binary = m[1] === '-';
    file.additions = file.binary ? 0 : Number(m[1]);
    file.deletions = file.binary ? 0 : Number(m[2]);
    i += m[3] === '' ? 3 : 1;
  }
  if (numstat !== files.length) throw new Error('git diff --numstat listed fewer files than --raw');
  return files;
}

/** Whether a file's patch has hunks to show (a binary file, a pure rename or a mode change has none). */
function mayHaveHunks(f: DiffFile): boolean {
  return !f.binary && f.additions + f.deletions > 0;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/s;

/**
 * Reads `git diff --patch` line by line into the files of the listing. A file's section starts at `diff --git`
 * (checked against the listing's paths, so hunks can never land on the wrong file; a type change comes as two
 * sections); inside a hunk every line is classified by its first byte while the hunk's counts last, so a deleted
 * line reading `--- x` or `diff --git` is content, never a header.
 */
class PatchParser {
  capped = false;
  private section = -1; // index into `entries` of the current section
  private sectionsOfEntry = 0;
  private file: DiffFile | undefined;
  private fileBytes = 0;
  private hunk: DiffHunk | undefined;
  private oldLeft = 0;
  private newLeft = 0;
  private oldLine = 0;
  private newLine = 0;
  private last: DiffLine | undefined;

  constructor(
    private readonly entries: ListedFile[],
    private readonly files: DiffFile[],
    private readonly limits: DiffLimits,
    public bytes: number,
  ) {}

  /** Takes one line; false once nothing more is wanted (git is then stopped). */
  line(buf: Buffer): boolean {
    if (this.oldLeft > 0 || this.newLeft > 0) return this.content(buf);
    if (buf[0] === 0x5c /* \ */) {
      if (this.last) this.last.no_newline = true;
      return true;
    }
    if (startsWith(buf, 'diff --git ')) return this.nextSection(buf.subarray(11).toString('utf8'));
    if (startsWith(buf, '@@ ')) return this.startHunk(buf.toString('utf8'));
    return true; // a header line of the section (index, modes, rename from/to, ---/+++, Binary files …)
  }

  /** After git has ended (or was stopped): files whose hunks were never read say so. */
  end(stopped: boolean): void {
    if (!stopped) {
      if (this.oldLeft > 0 || this.newLeft > 0) throw new Error('git diff --patch ended inside a hunk');
      return;
    }
    const first = this.sectionsOfEntry > 0 ? this.section + 1 : Math.max(this.section, 0);
    for (let i = first; i < this.files.length; i++) {
      if (mayHaveHunks(this.files[i]!)) this.files[i]!.truncated = true;
    }
  }

  private nextSection(rest: string): boolean {
    const current = this.entries[this.section];
    // A type change (file ↔ symlink ↔ submodule) is printed as a deletion and then an addition of the same path.
    if (current?.letter === 'T' && this.sectionsOfEntry === 1) {
      this.sectionsOfEntry = 2;
    } else {
      this.section++;
      this.sectionsOfEntry = 1;
      if (this.section >= this.files.length) return false; // past the files listed: nothing more is wanted
      this.file = this.files[this.section]!;
      this.fileBytes = 0;
    }
    const entry = this.entries[this.section]!;
    if (rest !== `${gitQuote(`a/${entry.oldPath}`)} ${gitQuote(`b/${entry.path}`)}`) {
      throw new Error(`git diff --patch is out of step with the file list at "${entry.path}"`);
    }
    this.hunk = undefined;
    this.last = undefined;
    return true;
  }

  private startHunk(text: string): boolean {
    const m = HUNK.exec(text);
    if (!m || !this.file) throw new Error('unexpected hunk header in git diff --patch');
    const [oldStart, oldLines, newStart, newLines] = [m[1], m[2] ?? '1', m[3], m[4] ?? '1'].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    this.oldLeft = oldLines;
    this.newLeft = newLines;
    this.oldLine = oldStart;
    this.newLine = newStart;
    this.last = undefined;
    if (this.file.truncated) {
      this.hunk = undefined;
      return true;
    }
    this.hunk = {
      old_start: oldStart,
      old_lines: oldLines,
      new_start: newStart,
      new_lines: newLines,
      heading: m[5]!.trim(),
      lines: [],
    };
    const cost = text.length + 1;
    if (!this.spend(cost + 80)) return false;
    this.file.hunks.push(this.hunk);
    return true;
  }

  private content(buf: Buffer): boolean {
    const kind = buf[0];
    let line: DiffLine;
    if (kind === 0x20 /* ' ' */) {
      line = { type: 'context', old_line: this.oldLine++, new_line: this.newLine++, text: '' };
      this.oldLeft--;
      this.newLeft--;
    } else if (kind === 0x2d /* - */) {
      line = { type: 'delete', old_line: this.oldLine++, new_line: null, text: '' };
      this.oldLeft--;
    } else if (kind === 0x2b /* + */) {
      line = { type: 'add', old_line: null, new_line: this.newLine++, text: '' };
      this.newLeft--;
    } else if (kind === 0x5c /* \ */) {
      if (this.last) this.last.no_newline = true;
      return true;
    } else {
      throw new Error('unexpected line inside a hunk of git diff --patch');
    }
    if (!this.hunk || this.file!.truncated) return true;
    this.fileBytes += buf.length + 1;
    if (this.fileBytes > this.limits.maxFileBytes) {
      // This file is cut here; the next files still come.
      this.file!.truncated = true;
      this.hunk = undefined;
      this.last = undefined;
      return true;
    }
    if (!this.spend(buf.length + LINE_OVERHEAD_BYTES)) return false;
    line.text = buf.subarray(1).toString('utf8');
    this.hunk.lines.push(line);
    this.last = line;
    return true;
  }

  /** Counts `cost` against the answer's cap; false (and the answer capped, this file cut) once over it. */
  private spend(cost: number): boolean {
    if (this.bytes + cost > this.limits.maxBytes) {
      this.capped = true;
      if (this.file && mayHaveHunks(this.file)) this.file.truncated = true;
      return false;
    }
    this.bytes += cost;
    return true;
  }
}

function startsWith(buf: Buffer, prefix: string): boolean {
  return buf.length >= prefix.length && buf.toString('latin1', 0, prefix.length) === prefix;
}

/**
 * A path as git's patch headers print it (core.quotePath on, the default): as is, or in double quotes with C
 * escapes when it holds a control character, a quote, a backslash or any non-ASCII byte.
 */
export function gitQuote(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  const escapes: Record<number, string> = {
    0x07: '\\a',
    0x08: '\\b',
    0x09: '\\t',
    0x0a: '\\n',
    0x0b: '\\v',
    0x0c: '\\f',
    0x0d: '\\r',
    0x22: '\\"',
    0x5c: '\\\\',
  };
  let quoted = false;
  let out = '';
  for (const b of bytes) {
    if (escapes[b] !== undefined) {
      out += escapes[b];
      quoted = true;
    } else if (b < 0x20 || b >= 0x7f) {
      out += `\\${b.toString(8).padStart(3, '0')}`;
      quoted = true;
    } else {
      out += String.fromCharCode(b);
    }
  }
  return quoted ? `"${out}"` : name;
}
