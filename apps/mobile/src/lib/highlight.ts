/** A run of source text and what it is, for colouring. */
export interface Token {
  text: string;
  kind: 'keyword' | 'string' | 'comment' | 'number' | 'plain';
}

const KEYWORDS = new Set(
  (
    'async await break case catch class const continue def default delete do elif else enum export extends false ' +
    'finally fn for from func function go if impl import in interface let match module new nil none null package ' +
    'private protected pub public return self static struct super switch this throw true try type typeof undefined ' +
    'use var void while with yield'
  ).split(' '),
);

// Strings, comments, numbers and words, in that order of precedence; everything else is plain.
const TOKEN =
  /(\/\/.*|#.*|\/\*.*?\*\/)|("(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|`(?:\\.|[^`\\])*`?)|(\b\d[\d_.xXa-fA-F]*\b)|([A-Za-z_$][\w$]*)/g;

/**
 * One line of code as coloured runs. A per-line tokenizer (no state across lines): good enough for a diff's lines on
 * a tablet, where a full parser per language would outweigh the app; a multi-line comment's inner lines show plain.
 * `#` starts a comment only for languages that use it (Python, shell, Ruby, YAML).
 */
export function highlightLine(line: string, path = ''): Token[] {
  const hashComments = /\.(py|sh|rb|ya?ml|toml|r|pl)$/i.test(path);
  const tokens: Token[] = [];
  let last = 0;
  const push = (text: string, kind: Token['kind']) => {
    if (text === '') return;
    const prev = tokens[tokens.length - 1];
    if (prev && prev.kind === kind) prev.text += text;
    else tokens.push({ text, kind });
  };
  for (const m of line.matchAll(TOKEN)) {
    const [all, comment, str, num, word] = m;
    if (comment?.startsWith('#') && !hashComments) {
      continue;
    }
    push(line.slice(last, m.index), 'plain');
    if (comment) push(all, 'comment');
    else if (str) push(all, 'string');
    else if (num) push(all, 'number');
    else if (word) push(all, KEYWORDS.has(word) ? 'keyword' : 'plain');
    last = m.index + all.length;
    if (comment) break;
  }
  if (last < line.length) push(line.slice(last), 'plain');
  return tokens;
}

/** Colours of the token kinds. */
export const TOKEN_COLORS: Record<Token['kind'], string> = {
  keyword: '#8250df',
  string: '#0a3069',
  comment: '#6e7781',
  number: '#0550ae',
  plain: '#1b1f24',
};
