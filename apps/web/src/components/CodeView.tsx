import { useEffect, useRef } from 'react';
import { defaultHighlightStyle, HighlightStyle, LanguageDescription, syntaxHighlighting } from '@codemirror/language';
import { languages } from '@codemirror/language-data';
import {
  Compartment,
  EditorState,
  Prec,
  RangeSet,
  RangeSetBuilder,
  StateEffect,
  StateField,
  type Text,
} from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import {
  Decoration,
  EditorView,
  gutter,
  GutterMarker,
  highlightActiveLine,
  keymap,
  lineNumbers,
  type DecorationSet,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import type { LineRange } from '../lib/permalink.js';

/** What the file view passes in. */
export interface CodeViewProps {
  content: string;
  path: string;
  /** Lines to highlight and scroll to (from the URL's `#L10-L20`). */
  range: LineRange | null;
  /** A line number was clicked (shift-click extends), or "Link to selected lines" was pressed. */
  onSelectLines: (range: LineRange) => void;
  /** Threads to mark in the gutter at their lines. */
  threads?: readonly ThreadMarker[];
  /** A thread's marker was pressed (click, or Enter/Space on the focused marker). */
  onOpenThread?: (threadId: string) => void;
  /** The lines the editor's selection covers as the user moves it (null when nothing is selected). */
  onSelectionChange?: (range: LineRange | null) => void;
}

/** A thread as the gutter shows it: the line it starts on, and words for its button. */
export interface ThreadMarker {
  threadId: string;
  line: number;
  /** What a screen reader says for the marker, e.g. "Open thread on lines 10–12 by Ann: Why?". */
  label: string;
  state: 'open' | 'resolved';
}

const setMarkers = StateEffect.define<readonly ThreadMarker[]>();

/** One button per line that has threads; pressing it opens the first of them (the panel lists them all). */
class ThreadGutterMarker extends GutterMarker {
  constructor(
    readonly threads: readonly ThreadMarker[],
    readonly open: (threadId: string) => void,
  ) {
    super();
  }
  override eq(other: GutterMarker): boolean {
    return (
      other instanceof ThreadGutterMarker &&
      other.threads.length === this.threads.length &&
      other.threads.every((t, i) => t.threadId === this.threads[i]!.threadId && t.state === this.threads[i]!.state)
    );
  }
  override toDOM(): Node {
    const button = document.createElement('button');
    button.type = 'button';
    // CodeMirror hides its gutters from screen readers (aria-hidden), so the marker must not be tabbable: the keyboard
    // opens a thread with Enter on its line in the editor, and the side panel lists every thread.
    button.tabIndex = -1;
    const open = this.threads.some((t) => t.state === 'open');
    button.className = `cm-thread-marker${open ? '' : ' resolved'}`;
    button.textContent = String(this.threads.length);
    button.setAttribute(
      'aria-label',
      this.threads.length === 1
        ? this.threads[0]!.label
        : `${this.threads.length} threads here. First: ${this.threads[0]!.label}`,
    );
    button.title = this.threads.map((t) => t.label).join('\n');
    button.addEventListener('click', (e) => {
      e.preventDefault();
      this.open(this.threads[0]!.threadId);
    });
    return button;
  }
}

function markerSet(doc: Text, markers: readonly ThreadMarker[], open: (id: string) => void): RangeSet<GutterMarker> {
  const byLine = new Map<number, ThreadMarker[]>();
  for (const m of markers) {
    if (m.line < 1 || m.line > doc.lines) continue;
    byLine.set(m.line, [...(byLine.get(m.line) ?? []), m]);
  }
  const builder = new RangeSetBuilder<GutterMarker>();
  for (const line of [...byLine.keys()].sort((a, b) => a - b)) {
    const from = doc.line(line).from;
    builder.add(from, from, new ThreadGutterMarker(byLine.get(line)!, open));
  }
  return builder.finish();
}

/** The lines a selection covers; a selection that ends at the very start of a line does not take that line. */
function selectedLines(doc: Text, from: number, to: number): LineRange {
  const start = doc.lineAt(from).number;
  const last = doc.lineAt(to);
  const end = to > from && last.from === to && last.number > start ? last.number - 1 : last.number;
  return { start, end };
}

const setRange = StateEffect.define<LineRange | null>();

// The highlighted lines, as line decorations that CodeMirror draws only where they are visible.
const rangeField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setRange)) continue;
      const range = effect.value;
      if (range === null) return Decoration.none;
      const builder = new RangeSetBuilder<Decoration>();
      const last = Math.min(range.end, tr.state.doc.lines);
      for (let n = range.start; n <= last; n++) {
        builder.add(tr.state.doc.line(n).from, tr.state.doc.line(n).from, highlighted);
      }
      return builder.finish();
    }
    return value;
  },
  provide: (field) => EditorView.decorations.from(field),
});
const highlighted = Decoration.line({ class: 'cm-permalink-line' });

// CodeMirror's styles, given to it rather than to the page's stylesheet: the editor lives in a shadow root (below).
const layout = EditorView.theme({
  '&': { maxHeight: 'calc(100vh - 12rem)' },
  '.cm-scroller': { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace", fontSize: '0.875rem' },
  '.cm-gutterElement': { cursor: 'pointer' },
  '.cm-permalink-line': { backgroundColor: 'var(--highlight)', boxShadow: 'inset 3px 0 0 #d4a72c' },
  // The page's CSS variables reach into the shadow root (custom properties inherit), so markers follow the theme.
  '.cm-thread-gutter': { minWidth: '1.9rem' },
  '.cm-thread-gutter .cm-gutterElement': { padding: '0 3px', display: 'flex', alignItems: 'center' },
  '.cm-thread-marker': {
    font: 'inherit',
    fontSize: '0.72rem',
    fontWeight: '700',
    lineHeight: '1.1',
    minWidth: '1.4rem',
    padding: '0 4px',
    borderRadius: '8px',
    border: '1px solid var(--accent)',
    background: 'var(--accent)',
    color: 'var(--accent-fg)',
    cursor: 'pointer',
  },
  '.cm-thread-marker.resolved': { background: 'var(--bg)', color: 'var(--fg)', borderColor: 'var(--muted)' },
  '.cm-thread-marker:focus-visible': { outline: '2px solid var(--accent)', outlineOffset: '1px' },
});

const dark = () => window.matchMedia('(prefers-color-scheme: dark)').matches;
// One Dark's line numbers (#7d8799 on #282c34) fall short of 4.5:1 contrast; this grey passes on the editor and on
// a highlighted line's background.
const readableGutter = EditorView.theme({ '.cm-gutters .cm-gutterElement': { color: '#b4bcc8' } }, { dark: true });
// One Dark's comments (#7d8799) and names (#e06c75) fall short of 4.5:1 too: lighter shades of the same colours,
// above One Dark's own highlighting. The rules that One Dark makes more specific than `name` are repeated so that
// they keep their colours.
const readableTokens = Prec.high(
  syntaxHighlighting(
    HighlightStyle.define([
      { tag: tags.comment, color: '#b4bcc8' },
      { tag: [tags.name, tags.deleted, tags.character, tags.propertyName, tags.macroName], color: '#ef8a92' },
      { tag: [tags.function(tags.variableName), tags.labelName], color: '#61afef' },
      { tag: [tags.definition(tags.name), tags.separator], color: '#abb2bf' },
    ]),
  ),
);
const themeFor = (isDark: boolean) =>
  isDark ? [oneDark, readableGutter, readableTokens] : syntaxHighlighting(defaultHighlightStyle);

/** A read-only CodeMirror 6 view of one file (virtualized: only visible lines are in the DOM). */
export default function CodeView({
  content,
  path,
  range,
  onSelectLines,
  threads,
  onOpenThread,
  onSelectionChange,
}: CodeViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const anchor = useRef<number | null>(null);
  const onSelect = useRef(onSelectLines);
  onSelect.current = onSelectLines;
  const onOpen = useRef(onOpenThread);
  onOpen.current = onOpenThread;
  const onSelection = useRef(onSelectionChange);
  onSelection.current = onSelectionChange;

  useEffect(() => {
    const language = new Compartment();
    const theme = new Compartment();
    const open = (threadId: string) => onOpen.current?.(threadId);
    const markerField = StateField.define<RangeSet<GutterMarker>>({
      create: () => RangeSet.empty,
      update(value, tr) {
        for (const effect of tr.effects) if (effect.is(setMarkers)) return markerSet(tr.state.doc, effect.value, open);
        return value;
      },
    });
    const state = EditorState.create({
      doc: content,
      extensions: [
        EditorState.readOnly.of(true),
        lineNumbers({
          domEventHandlers: {
            mousedown(v, block, event) {
              const line = v.state.doc.lineAt(block.from).number;
              const shift = (event as MouseEvent).shiftKey && anchor.current !== null;
              const start = shift ? anchor.current! : line;
              if (!shift) anchor.current = line;
              onSelect.current({ start: Math.min(start, line), end: Math.max(start, line) });
              return true;
            },
          },
        }),
        markerField,
        gutter({
          class: 'cm-thread-gutter',
          markers: (v) => v.state.field(markerField),
          // The marker's own click opens the thread; the editor must not also move its cursor there.
          domEventHandlers: { mousedown: () => true },
        }),
        // Enter on a line that has threads opens the first (the editor is read-only: Enter does nothing else).
        keymap.of([
          // The browser's own Ctrl+Home/End do not reach lines CodeMirror has not drawn (@codemirror/commands, which
          // has these, is not a dependency): to the first and last line, shift extending the selection.
          ...(['Mod-Home', 'Mod-End'] as const).map((key) => {
            const to = (v: EditorView) => (key === 'Mod-Home' ? 0 : v.state.doc.length);
            return {
              key,
              run: (v: EditorView) => {
                v.dispatch({ selection: { anchor: to(v) }, scrollIntoView: true });
                return true;
              },
              shift: (v: EditorView) => {
                v.dispatch({ selection: { anchor: v.state.selection.main.anchor, head: to(v) }, scrollIntoView: true });
                return true;
              },
            };
          }),
          {
            key: 'Enter',
            run: (v) => {
              const line = v.state.doc.lineAt(v.state.selection.main.head);
              let first: string | undefined;
              v.state.field(markerField).between(line.from, line.from, (_from, _to, marker) => {
                first = (marker as ThreadGutterMarker).threads[0]?.threadId;
                return false;
              });
              if (first === undefined) return false;
              open(first);
              return true;
            },
          },
        ]),
        highlightActiveLine(),
        rangeField,
        EditorView.updateListener.of((update) => {
          if (!update.selectionSet) return;
          const { from, to, empty } = update.state.selection.main;
          onSelection.current?.(empty ? null : selectedLines(update.state.doc, from, to));
        }),
        layout,
        language.of([]),
        theme.of(themeFor(dark())),
        EditorView.contentAttributes.of({ 'aria-label': `Contents of ${path}` }),
      ],
    });
    // In a shadow root, CodeMirror mounts its styles as constructed stylesheets; in the document it would add <style>
    // elements, which the strict CSP (style-src 'self') refuses.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    shadow.replaceChildren(parent);
    const v = new EditorView({ state, parent, root: shadow });
    // The scrolled area takes the keyboard focus too, so that arrow keys and Page Down scroll a long file.
    v.scrollDOM.tabIndex = 0;
    v.scrollDOM.setAttribute('role', 'region');
    v.scrollDOM.setAttribute('aria-label', `${path}, scrollable`);
    view.current = v;

    let cancelled = false;
    const description = LanguageDescription.matchFilename(languages, path);
    void description?.load().then((support) => {
      if (!cancelled) v.dispatch({ effects: language.reconfigure(support) });
    });
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const onScheme = () => v.dispatch({ effects: theme.reconfigure(themeFor(media.matches)) });
    media.addEventListener('change', onScheme);
    return () => {
      cancelled = true;
      media.removeEventListener('change', onScheme);
      v.destroy();
      view.current = null;
    };
  }, [content, path]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const effects: StateEffect<unknown>[] = [setRange.of(range)];
    if (range !== null && range.start <= v.state.doc.lines) {
      effects.push(EditorView.scrollIntoView(v.state.doc.line(range.start).from, { y: 'center' }));
    }
    v.dispatch({ effects });
  }, [range, content, path]);

  useEffect(() => {
    view.current?.dispatch({ effects: setMarkers.of(threads ?? []) });
  }, [threads, content, path]);

  // Keyboard users select lines with the cursor (shift+arrows), then link to them with this button.
  const linkSelection = () => {
    const v = view.current;
    if (!v) return;
    const { from, to } = v.state.selection.main;
    onSelect.current(selectedLines(v.state.doc, from, to));
  };

  return (
    <div className="code-view">
      <div className="code-tools">
        <button type="button" onClick={linkSelection}>
          Link to selected lines
        </button>
        <span className="muted small">
          or click a line number (shift-click for a range); Enter on a line with a thread opens it
        </span>
      </div>
      <div ref={host} className="code-host" />
    </div>
  );
}
