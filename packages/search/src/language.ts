/** Languages the index knows, by position (stored as one byte per file; 0 is "unknown"). */
export const LANGUAGES = [
  '',
  'typescript',
  'javascript',
  'json',
  'markdown',
  'css',
  'html',
  'vue',
  'go',
  'rust',
  'python',
  'ruby',
  'java',
  'kotlin',
  'c',
  'cpp',
  'csharp',
  'php',
  'shell',
  'yaml',
  'toml',
  'sql',
  'swift',
  'scss',
  'xml',
  'text',
  'dockerfile',
  'makefile',
] as const;

/** A language name the index knows. */
export type Language = Exclude<(typeof LANGUAGES)[number], ''>;

const BY_EXTENSION: Record<string, Language> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  json: 'json',
  md: 'markdown',
  markdown: 'markdown',
  css: 'css',
  scss: 'scss',
  sass: 'scss',
  html: 'html',
  htm: 'html',
  vue: 'vue',
  go: 'go',
  rs: 'rust',
  py: 'python',
  rb: 'ruby',
  java: 'java',
  kt: 'kotlin',
  kts: 'kotlin',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  php: 'php',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  yml: 'yaml',
  yaml: 'yaml',
  toml: 'toml',
  sql: 'sql',
  swift: 'swift',
  xml: 'xml',
  svg: 'xml',
  txt: 'text',
};

/** The language of a path, from its file name; undefined when unknown. */
export function languageOf(filePath: string): Language | undefined {
  const base = filePath.slice(filePath.lastIndexOf('/') + 1);
  if (base === 'Dockerfile' || base.startsWith('Dockerfile.')) return 'dockerfile';
  if (base === 'Makefile' || base === 'GNUmakefile') return 'makefile';
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()];
}

/** The byte the index stores for a language. */
export function languageId(lang: Language | undefined): number {
  return lang === undefined ? 0 : LANGUAGES.indexOf(lang);
}

/** Whether `name` is a language the index knows (case-insensitive). */
export function parseLanguage(name: string): Language | undefined {
  const lower = name.toLowerCase();
  const aliases: Record<string, Language> = { ts: 'typescript', js: 'javascript', md: 'markdown', py: 'python' };
  if (aliases[lower]) return aliases[lower];
  return (LANGUAGES as readonly string[]).includes(lower) && lower !== '' ? (lower as Language) : undefined;
}
