/**
 * Finding functions in a file's text for CodeLens and "Document this function", without a language server: the
 * declarations JavaScript, TypeScript, Python and Go code uses most. The server finds the exact declaration from the
 * line; this only has to say where one starts.
 */

/** A function declaration: its name and 0-based line. */
export interface FunctionSite {
  name: string;
  line: number;
}

const PATTERNS: Record<string, RegExp[]> = {
  js: [
    /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/,
    /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/,
    /^\s*(?:[A-Za-z_$][\w$.]*\.)([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?function\b/,
    /^\s+(?:public\s+|private\s+|protected\s+|static\s+|async\s+)*(?!if\b|for\b|while\b|switch\b|catch\b|return\b)([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{\s*$/,
  ],
  py: [/^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/],
  go: [/^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(/],
};

const FAMILY: Record<string, string> = {
  javascript: 'js',
  javascriptreact: 'js',
  typescript: 'js',
  typescriptreact: 'js',
  python: 'py',
  go: 'go',
};

/** Whether functions are looked for in files of this VS Code language id. */
export function supportsLanguage(languageId: string): boolean {
  return languageId in FAMILY;
}

/** The function declarations of a text, in order. */
export function findFunctions(text: string, languageId: string): FunctionSite[] {
  const patterns = PATTERNS[FAMILY[languageId] ?? ''];
  if (!patterns) return [];
  const sites: FunctionSite[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const re of patterns) {
      const m = re.exec(line);
      if (m) {
        sites.push({ name: m[1]!, line: i });
        break;
      }
    }
  });
  return sites;
}

/** The function whose declaration is at or above `line` (0-based), the nearest one; undefined when none. */
export function functionAt(text: string, languageId: string, line: number): FunctionSite | undefined {
  let found: FunctionSite | undefined;
  for (const site of findFunctions(text, languageId)) {
    if (site.line > line) break;
    found = site;
  }
  return found;
}

/** Whether `name` is an identifier a rename may use (JavaScript/TypeScript rules, ASCII). */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name);
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(
    ' ',
  ),
);
