/** Words spelled in capitals when they appear in prose. */
const ACRONYMS = new Set([
  'api',
  'ast',
  'cli',
  'cpu',
  'css',
  'csv',
  'db',
  'dns',
  'dom',
  'fs',
  'ftp',
  'gpu',
  'html',
  'http',
  'https',
  'io',
  'ip',
  'json',
  'jwt',
  'os',
  'pdf',
  'png',
  'rpc',
  'sdk',
  'sha',
  'sql',
  'ssh',
  'ssl',
  'svg',
  'tcp',
  'tls',
  'ttl',
  'ui',
  'uri',
  'url',
  'utf',
  'uuid',
  'xml',
  'yaml',
]);

/**
 * Splits an identifier into lower-case words: camelCase, PascalCase, snake_case, kebab-case and SCREAMING_CASE,
 * keeping runs of capitals together (`parseHTTPResponse` → parse, http, response).
 */
export function splitIdentifier(name: string): string[] {
  const parts = name
    .replace(/^[_$#]+|[_$]+$/g, '')
    .split(/[_\-$\s.]+/)
    .flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []);
  return parts.map((word) => word.toLowerCase());
}

/** A word as it should read in prose: acronyms in capitals, everything else as is. */
export function proseWord(word: string): string {
  return ACRONYMS.has(word) ? word.toUpperCase() : word;
}

/** Identifier words as a phrase (`userAvatarUrl` → "user avatar URL"). */
export function phrase(words: readonly string[]): string {
  return words.map(proseWord).join(' ');
}

/** The identifier as a prose phrase. */
export function humanize(name: string): string {
  return phrase(splitIdentifier(name));
}

/** "a" or "an" for a phrase, by its first sound (good enough for identifiers). */
export function article(text: string): string {
  const first = text.trim().split(/\s+/)[0] ?? '';
  if (/^[A-Z]{2,}/.test(first)) return /^[AEFHILMNORSX]/.test(first) ? 'an' : 'a';
  if (/^(uni|use|usa|eu|one|once)/i.test(first)) return 'a';
  if (/^(hour|honest|honor)/i.test(first)) return 'an';
  return /^[aeiou]/i.test(first) ? 'an' : 'a';
}

/** The phrase with its indefinite article. */
export function withArticle(text: string): string {
  return `${article(text)} ${text}`;
}

/** Plural of a noun phrase (only the last word changes). */
export function pluralize(text: string): string {
  const match = /^(.*?)(\w+)$/.exec(text);
  if (!match) return text;
  const [, head = '', last = ''] = match;
  const lower = last.toLowerCase();
  if (isPlural(lower)) return text;
  const irregular: Record<string, string> = { child: 'children', person: 'people', index: 'indexes', data: 'data' };
  if (irregular[lower]) return head + irregular[lower];
  if (/[^aeiou]y$/.test(lower)) return head + last.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(lower)) return head + last + 'es';
  if (/^[A-Z]+$/.test(last)) return head + last + 's';
  return head + last + 's';
}

/** Whether a lower-case word already looks plural (`users`, `entries`, but not `status` or `class`). */
export function isPlural(word: string): boolean {
  if (['data', 'people', 'children', 'series', 'news', 'metadata', 'settings', 'options', 'args'].includes(word)) {
    return true;
  }
  return /[^su]s$/.test(word) && !/(ss|us|is|os)$/.test(word);
}

/** Singular of a lower-case noun (best effort, used for `Array<Item>` phrasing). */
export function singularize(word: string): string {
  if (!isPlural(word)) return word;
  if (word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (/(ches|shes|xes|zes|sses)$/.test(word)) return word.slice(0, -2);
  return word.endsWith('s') ? word.slice(0, -1) : word;
}

/** Joins items as prose: "a", "a and b", "a, b and c". */
export function listing(items: readonly string[], conjunction = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** The sentence with its first letter in capitals. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The text with its first letter in lower case, unless it starts with an acronym or code. */
export function decapitalize(text: string): string {
  if (/^[A-Z]{2}/.test(text) || text.startsWith('`')) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A sentence ends with exactly one full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  return capitalize(/[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`);
}

/** A verb and how to conjugate and use it in a summary. */
export interface Verb {
  /** Third person singular: "fetches". */
  third: string;
  /** Past participle used before a noun: "fetched". */
  participle: string;
  /** How the first parameter relates to the object: "from the text", "for the user", "to the file". */
  preposition?: string;
}

const VERBS: Record<string, Partial<Verb> & { preposition?: string }> = {
  get: { participle: '', preposition: 'for' },
  fetch: { preposition: 'for' },
  find: { participle: 'matching', preposition: 'for' },
  lookup: { participle: 'matching', third: 'looks up', preposition: 'for' },
  search: { participle: 'matching', preposition: 'for' },
  list: { participle: 'listed', preposition: 'for' },
  load: { preposition: 'from' },
  read: { participle: 'read', preposition: 'from' },
  parse: { preposition: 'from' },
  decode: { preposition: 'from' },
  extract: { preposition: 'from' },
  create: { participle: 'newly created', preposition: 'from' },
  make: { participle: 'new' },
  new: { third: 'creates', participle: 'newly created' },
  build: { participle: 'built', preposition: 'from' },
  generate: { preposition: 'for' },
  compute: { preposition: 'for' },
  calculate: { preposition: 'for' },
  count: { preposition: 'in' },
  save: { preposition: 'to' },
  store: { preposition: 'in' },
  persist: {},
  write: { participle: 'written', preposition: 'to' },
  send: { participle: 'sent', preposition: 'to' },
  delete: { preposition: 'from' },
  remove: { preposition: 'from' },
  destroy: {},
  drop: { participle: 'dropped' },
  clear: {},
  reset: { participle: 'reset' },
  update: { preposition: 'with' },
  set: { participle: 'set', preposition: 'to' },
  add: { participle: 'added', preposition: 'to' },
  insert: { preposition: 'into' },
  append: { preposition: 'to' },
  push: {},
  register: {},
  unregister: {},
  validate: { preposition: 'against' },
  check: {},
  verify: {},
  assert: {},
  ensure: {},
  format: { participle: 'formatted' },
  render: {},
  serialize: {},
  stringify: { third: 'stringifies', participle: 'stringified' },
  normalize: {},
  sanitize: {},
  encode: {},
  encrypt: {},
  decrypt: {},
  hash: {},
  sign: {},
  convert: { preposition: 'from' },
  transform: {},
  map: { participle: 'mapped' },
  filter: {},
  sort: {},
  merge: { preposition: 'with' },
  resolve: { preposition: 'from' },
  apply: { third: 'applies', participle: 'applied', preposition: 'to' },
  handle: { preposition: 'for' },
  process: {},
  init: { third: 'initializes', participle: 'initialized' },
  initialize: {},
  setup: { third: 'sets up', participle: 'set up' },
  start: {},
  stop: { participle: 'stopped' },
  run: { participle: 'run', third: 'runs' },
  execute: {},
  exec: { third: 'executes', participle: 'executed' },
  open: {},
  close: {},
  connect: { preposition: 'to' },
  disconnect: { preposition: 'from' },
  emit: { participle: 'emitted' },
  publish: {},
  subscribe: { preposition: 'to' },
  unsubscribe: { preposition: 'from' },
  notify: { third: 'notifies', participle: 'notified' },
  schedule: {},
  cancel: { participle: 'cancelled' },
  retry: { third: 'retries', participle: 'retried' },
  wait: { preposition: 'for' },
  watch: {},
  refresh: {},
  sync: {},
  download: { preposition: 'from' },
  upload: { preposition: 'to' },
  import: { preposition: 'from' },
  export: { preposition: 'to' },
  copy: { third: 'copies', participle: 'copied', preposition: 'to' },
  move: { preposition: 'to' },
  rename: {},
  split: { participle: 'split' },
  join: {},
  wrap: { participle: 'wrapped' },
  unwrap: { participle: 'unwrapped' },
  select: {},
  pick: {},
  omit: { participle: 'omitted' },
  match: {},
  replace: {},
  compare: { preposition: 'with' },
  clone: {},
  enable: {},
  disable: {},
  toggle: {},
  show: { participle: 'shown' },
  hide: { participle: 'hidden' },
  log: { participle: 'logged' },
  print: {},
  track: {},
  install: {},
  require: {},
  request: {},
  accept: {},
  reject: {},
  approve: {},
  authenticate: {},
  authorize: {},
  login: { third: 'logs in', participle: 'logged in' },
  logout: { third: 'logs out', participle: 'logged out' },
  invalidate: {},
  mark: {},
  assign: {},
  attach: {},
  detach: {},
  bind: { participle: 'bound' },
  mount: {},
  unmount: {},
  use: {},
  collect: {},
  group: {},
  release: {},
  acquire: {},
  lock: {},
  unlock: {},
  flush: {},
  enqueue: {},
  dequeue: {},
  queue: {},
  spawn: {},
  kill: {},
  visit: {},
  walk: {},
  scan: { participle: 'scanned' },
  escape: {},
  strip: { participle: 'stripped' },
  trim: { participle: 'trimmed' },
  truncate: {},
  pad: { participle: 'padded' },
  measure: {},
  describe: {},
  summarize: {},
  document: {},
  diff: {},
  patch: {},
  prepare: {},
  configure: {},
  report: {},
  record: {},
  restore: {},
  reverse: {},
  revert: {},
  sum: { participle: 'summed' },
  remember: {},
  forget: { participle: 'forgotten' },
  upsert: {},
  wake: { participle: 'woken' },
  poll: {},
  claim: {},
  ping: {},
  probe: {},
  touch: {},
  revoke: {},
  grant: {},
  consume: {},
  expire: {},
  prune: {},
  purge: {},
  sweep: { participle: 'swept' },
  rotate: {},
  redact: {},
  mask: {},
  serve: {},
  listen: { preposition: 'on' },
  route: {},
  finish: {},
  complete: {},
  begin: { participle: 'begun' },
  abort: {},
  fail: {},
  resume: {},
  pause: {},
  issue: { preposition: 'for' },
  attempt: {},
  answer: {},
  reply: { third: 'replies', participle: 'replied' },
  respond: { preposition: 'to' },
  throw: { participle: 'thrown' },
  raise: {},
  increment: { preposition: 'by' },
  decrement: { preposition: 'by' },
  advance: { preposition: 'by' },
  grow: { participle: 'grown', preposition: 'by' },
  shrink: { participle: 'shrunk', preposition: 'by' },
  resize: { preposition: 'to' },
  seed: {},
  evaluate: {},
  invoke: {},
  call: {},
  dispatch: {},
  broadcast: { participle: 'broadcast' },
  shutdown: { third: 'shuts down', participle: 'shut down' },
};

/** Verbs that ask a yes/no question about their subject. */
export const PREDICATE_VERBS = new Set([
  'is',
  'has',
  'can',
  'should',
  'needs',
  'was',
  'will',
  'does',
  'did',
  'contains',
  'exists',
  'includes',
  'matches',
  'equals',
  'supports',
  'allows',
]);

/** The verb entry for a lower-case word, when the word is a verb this module knows. */
export function lookupVerb(word: string): Verb | undefined {
  if (!Object.hasOwn(VERBS, word)) return undefined;
  const entry = VERBS[word] ?? {};
  const verb: Verb = {
    third: entry.third ?? thirdPerson(word),
    participle: entry.participle ?? pastParticiple(word),
  };
  if (entry.preposition) verb.preposition = entry.preposition;
  return verb;
}

function thirdPerson(verb: string): string {
  if (/[^aeiou]y$/.test(verb)) return verb.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(verb)) return verb + 'es';
  return verb + 's';
}

function pastParticiple(verb: string): string {
  if (verb.endsWith('e')) return verb + 'd';
  if (/[^aeiou]y$/.test(verb)) return verb.slice(0, -1) + 'ied';
  if (/^[^aeiou]*[aeiou][bdgmnprt]$/.test(verb) && verb.length <= 4) return verb + verb.slice(-1) + 'ed';
  return verb + 'ed';
}

/** Unit suffixes of numeric names and how to say them. */
const UNITS: Record<string, string> = {
  ms: 'milliseconds',
  millis: 'milliseconds',
  milliseconds: 'milliseconds',
  sec: 'seconds',
  secs: 'seconds',
  seconds: 'seconds',
  s: 'seconds',
  minutes: 'minutes',
  mins: 'minutes',
  hours: 'hours',
  days: 'days',
  bytes: 'bytes',
  kb: 'kilobytes',
  mb: 'megabytes',
  px: 'pixels',
  pct: 'percent',
  percent: 'percent',
};

/** Splits a trailing unit off a name's words: `timeoutMs` → { words: [timeout], unit: 'milliseconds' }. */
export function describeUnit(words: readonly string[]): { words: string[]; unit?: string } {
  const last = words[words.length - 1];
  if (words.length > 1 && last && UNITS[last]) return { words: words.slice(0, -1), unit: UNITS[last] };
  return { words: [...words] };
}
