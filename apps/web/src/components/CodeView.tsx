import { useEffect, useRef } from 'react';
import { defaultHighlightStyle, HighlightStyle, LanguageDescription, syntaxHighlighting } from '@codemirror/language';
import { languages } from '@codemirror/language-data';
import { Compartment, EditorState, Prec, RangeSetBuilder, StateEffect, StateField } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { Decoration, EditorView, highlightActiveLine, lineNumbers, type DecorationSet } from '@codemirror/view';
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
export default function CodeView({ content, path, range, onSelectLines }: CodeViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const anchor = useRef<number | null>(null);
  const onSelect = useRef(onSelectLines);
  onSelect.current = onSelectLines;

  useEffect(() => {
    const language = new Compartment();
    const theme = new Compartment();
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
        highlightActiveLine(),
        rangeField,
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

  // Keyboard users select lines with the cursor (shift+arrows), then link to them with this button.
  const linkSelection = () => {
    const v = view.current;
    if (!v) return;
    const { from, to } = v.state.selection.main;
    onSelect.current({ start: v.state.doc.lineAt(from).number, end: v.state.doc.lineAt(to).number });
  };

  return (
    <div className="code-view">
      <div className="code-tools">
        <button type="button" onClick={linkSelection}>
          Link to selected lines
        </button>
        <span className="muted small">or click a line number (shift-click for a range)</span>
      </div>
      <div ref={host} className="code-host" />
    </div>
  );
}
