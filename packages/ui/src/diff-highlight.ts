import { LanguageDescription, type Language } from '@codemirror/language';
import { languages } from '@codemirror/language-data';
import { classHighlighter, highlightTree } from '@lezer/highlight';
import type { DiffFile, DiffLine } from '@hivesync/sdk';

// DiffView imports this module with a dynamic import(), and this module loads each language's grammar the same way
// (language-data), so neither CodeMirror nor a grammar reaches a page until a diff is opened.

/** A piece of a line: text with the highlighter's class names (`tok-keyword`…), or plain text without. */
export interface Token {
  text: string;
  className?: string;
}

/** A highlighted range of a side's whole text, as `highlightTree` reports it. */
export interface Span {
  from: number;
  to: number;
  className: string;
}

/** Each line of one side of a file's diff with its tokens. */
export type LineTokens = Map<DiffLine, Token[]>;

/** A file's tokens: deleted lines (and context, for the split view's left side) on `old`, the rest on `new`. */
export interface FileTokens {
  old: LineTokens;
  new: LineTokens;
}

/**
 * The lines of each side of a file's diff, hunk after hunk: the old side's context and deleted lines, the new side's
 * context and added lines. Each side is parsed as one text so that a comment or string spanning lines reads right.
 */
export function diffSides(file: DiffFile): { old: DiffLine[]; new: DiffLine[] } {
  const sides = { old: [] as DiffLine[], new: [] as DiffLine[] };
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      if (line.type !== 'add') sides.old.push(line);
      if (line.type !== 'delete') sides.new.push(line);
    }
  }
  return sides;
}

/**
 * Cuts `spans` (ranges of `lines` joined with `\n`, in order) into each line's tokens. A span that crosses lines (a
 * block comment) is cut at each line's end; the text between spans is plain. Each line's tokens join into the line.
 */
export function tokensByLine(lines: readonly string[], spans: readonly Span[]): Token[][] {
  const result: Token[][] = [];
  let first = 0; // the first span that may still reach the current line
  let start = 0;
  for (const line of lines) {
    const end = start + line.length;
    while (first < spans.length && spans[first]!.to <= start) first++;
    const tokens: Token[] = [];
    let at = start;
    for (let i = first; i < spans.length && spans[i]!.from < end; i++) {
      const span = spans[i]!;
      // Never overlap what is already cut, whatever the spans: the line's text must come out exactly as it is.
      const from = Math.max(span.from, at);
      const to = Math.min(span.to, end);
      if (to <= from) continue;
      if (from > at) tokens.push({ text: line.slice(at - start, from - start) });
      tokens.push({ text: line.slice(from - start, to - start), className: span.className });
      at = to;
    }
    if (at < end || tokens.length === 0) tokens.push({ text: line.slice(at - start) });
    result.push(tokens);
    start = end + 1; // the '\n'
  }
  return result;
}

/** Parses `lines` as one text in `language` and returns each line's tokens. */
export function highlightLines(language: Language, lines: readonly DiffLine[]): LineTokens {
  const texts = lines.map((l) => l.text);
  const tree = language.parser.parse(texts.join('\n'));
  const spans: Span[] = [];
  highlightTree(tree, classHighlighter, (from, to, className) => spans.push({ from, to, className }));
  const tokens = tokensByLine(texts, spans);
  return new Map(lines.map((line, i) => [line, tokens[i]!]));
}

/**
 * Highlights both sides of a file's diff in the language its name says (loading that grammar the first time), or
 * null when no language is known for it.
 */
export async function highlightDiffFile(file: DiffFile): Promise<FileTokens | null> {
  const description = LanguageDescription.matchFilename(languages, file.path);
  if (!description) return null;
  const { language } = await description.load();
  const sides = diffSides(file);
  return { old: highlightLines(language, sides.old), new: highlightLines(language, sides.new) };
}
