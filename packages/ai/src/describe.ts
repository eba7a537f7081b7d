import {
  type EffectFact,
  type FailureFact,
  type FunctionDoc,
  type FunctionFacts,
  type Language,
  type ParamFact,
  type TypeDoc,
  type TypeFacts,
  type TypeShape,
} from './model.js';
import {
  PREDICATE_VERBS,
  capitalize,
  decapitalize,
  describeUnit,
  humanize,
  isPlural,
  listing,
  lookupVerb,
  phrase,
  pluralize,
  sentence,
  singularize,
  splitIdentifier,
  withArticle,
  type Verb,
} from './words.js';

/** Words that end the object of a verb in a name: `getUserById` → object "user", qualifier "by id". */
const QUALIFIERS = new Set([
  'by',
  'from',
  'for',
  'with',
  'without',
  'to',
  'in',
  'into',
  'of',
  'at',
  'on',
  'if',
  'via',
  'using',
  'after',
  'before',
  'until',
  'since',
  'when',
  'within',
  'per',
  'across',
  'between',
  'over',
]);

/** Adverbs that end a name and say how, not what: `fetchOnce`, `loadLazily`. */
const ADVERBS = new Set([
  'once',
  'again',
  'now',
  'later',
  'safely',
  'lazily',
  'eagerly',
  'recursively',
  'async',
  'sync',
  'internal',
  'if',
  'or',
]);

/** Parameters that configure a call rather than name what it works on. */
const AUXILIARY = new Set([
  'ctx',
  'context',
  'options',
  'opts',
  'config',
  'settings',
  'signal',
  'callback',
  'cb',
  'done',
  'next',
  'logger',
  'log',
  'self',
  'cls',
  'tx',
  'db',
  'client',
  'args',
  'kwargs',
  'deps',
  'auth',
]);

/** Last words of a name that are an attribute of what the words before name: `userId` → the user's id. */
const ATTRIBUTES = new Set([
  'id',
  'ids',
  'name',
  'names',
  'path',
  'url',
  'uri',
  'type',
  'key',
  'count',
  'size',
  'index',
  'email',
  'status',
  'version',
  'hash',
  'token',
  'code',
  'title',
  'date',
  'time',
  'port',
  'host',
  'dir',
  'role',
  'state',
  'label',
  'kind',
  'mode',
  'level',
  'text',
  'content',
  'body',
  'slug',
  'number',
  'description',
  'address',
  'password',
  'secret',
  'width',
  'height',
  'length',
  'branch',
  'commit',
]);

/** Last words of a parameter that look something up: `get(userId)` gets a user by its id. */
const LOOKUP_KEYS = new Set(['id', 'ids', 'name', 'key', 'email', 'slug', 'uuid', 'path', 'url', 'handle']);

/** Attributes that read as possessions of what precedes them: `userId` is the user's id, `exitCode` is not the exit's code. */
const POSSESSIVES = new Set(['id', 'ids', 'name', 'names', 'email', 'slug', 'url', 'uri', 'title', 'role', 'avatar']);

/** First words of a name that qualify rather than own the rest: `newName` is a new name, not the new's name. */
const ADJECTIVES = new Set([
  'new',
  'old',
  'current',
  'default',
  'initial',
  'next',
  'prev',
  'previous',
  'last',
  'first',
  'max',
  'min',
  'maximum',
  'minimum',
  'total',
  'base',
  'raw',
  'parsed',
  'target',
  'source',
  'expected',
  'actual',
  'extra',
  'custom',
  'optional',
  'local',
  'remote',
  'global',
  'public',
  'private',
  'full',
  'relative',
  'absolute',
  'start',
  'end',
]);

/** Verbs whose result reads best with their participle ("the parsed config", "the formatted date"). */
const TELLING_PARTICIPLES = new Set([
  'fetch',
  'load',
  'read',
  'parse',
  'decode',
  'build',
  'create',
  'make',
  'generate',
  'compute',
  'calculate',
  'format',
  'render',
  'serialize',
  'stringify',
  'normalize',
  'sanitize',
  'encode',
  'encrypt',
  'decrypt',
  'hash',
  'sign',
  'convert',
  'transform',
  'map',
  'filter',
  'sort',
  'merge',
  'resolve',
  'find',
  'search',
  'lookup',
  'update',
  'save',
  'clone',
  'copy',
  'wrap',
  'extract',
  'select',
  'pick',
  'group',
  'collect',
  'split',
  'join',
  'escape',
  'strip',
  'trim',
  'truncate',
  'pad',
  'download',
  'upload',
  'patch',
  'prepare',
  'configure',
  'restore',
  'reverse',
  'summarize',
  'describe',
  'diff',
  'evaluate',
]);

interface NameParts {
  words: string[];
  verbWord?: string;
  verb?: Verb;
  predicate?: string;
  special?: 'to' | 'from' | 'on' | 'with';
  object: string[];
  qualifier: string[];
}

function analyzeName(name: string): NameParts {
  const words = splitIdentifier(name);
  const [first = '', ...rest] = words;
  if (PREDICATE_VERBS.has(first)) return { words, predicate: first, object: rest, qualifier: [] };
  if (rest.length > 0 && (first === 'to' || first === 'from' || first === 'on' || first === 'with')) {
    return { words, special: first, object: rest, qualifier: [] };
  }
  const verb = lookupVerb(first);
  const isQualifier = (word: string) => QUALIFIERS.has(word) || ADVERBS.has(word);
  if (!verb) {
    const cut = words.findIndex((word, i) => i > 0 && isQualifier(word));
    return { words, object: cut === -1 ? words : words.slice(0, cut), qualifier: cut === -1 ? [] : words.slice(cut) };
  }
  const cut = rest.findIndex(isQualifier);
  const object = cut === -1 ? rest : rest.slice(0, cut);
  const qualifier = cut === -1 ? [] : rest.slice(cut);
  return { words, verbWord: first, verb, object, qualifier };
}

function literal(language: Language, value: 'true' | 'false' | 'null'): string {
  if (language === 'python') return { true: '`True`', false: '`False`', null: '`None`' }[value];
  if (language === 'go') return { true: 'true', false: 'false', null: 'nil' }[value];
  return `\`${value}\``;
}

function startsWithWords(words: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length > 0 && prefix.every((word, i) => words[i] === word || singularize(words[i] ?? '') === word);
}

function endsWithWords(words: readonly string[], suffix: readonly string[]): boolean {
  if (suffix.length === 0 || suffix.length > words.length) return false;
  const offset = words.length - suffix.length;
  return suffix.every((word, i) => words[offset + i] === word);
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((word, i) => word === b[i] || singularize(word) === singularize(b[i] ?? ''));
}

function isAuxiliary(param: ParamFact): boolean {
  return AUXILIARY.has(param.name.replace(/^[*_]+/, '').toLowerCase()) || param.type.kind === 'function';
}

/** The noun of a named type in prose (`UserProfile` → "user profile"); undefined for generic or unnamed types. */
function typeNoun(shape: TypeShape): string | undefined {
  if (shape.kind === 'named') {
    if (/^[A-Z]$|^T[A-Z]/.test(shape.name)) return undefined;
    return humanize(shape.name.replace(/^I(?=[A-Z][a-z])/, ''));
  }
  return undefined;
}

/** What the function works on and how the first sentence names it. */
interface Framing {
  parts: NameParts;
  /** "the user", "a new project"; empty when nothing names what the function works on. */
  object: string;
  objectWords: string[];
  /** Where the object came from: the name itself, a parameter, the owner type, or nowhere. */
  objectSource: 'name' | 'param' | 'owner' | 'none';
  /** The parameter that is the object itself (`save(user)`), whose description says "to save". */
  objectParam?: ParamFact;
  /** For predicates: "the email is valid". */
  clause?: string;
  /** The parameters themselves are the object (`add(a, b)` adds `a` and `b`). */
  operands?: boolean;
  owner?: string;
}

/** Parameter names too generic to be what a function works on (`register(body, ip)` does not register a body). */
const NON_OBJECTS = new Set([
  'body',
  'data',
  'payload',
  'input',
  'params',
  'req',
  'res',
  'request',
  'response',
  'reply',
  'call',
  'auth',
  'event',
  'evt',
  'ev',
  'e',
  'err',
  'error',
  'init',
  'props',
  'state',
  'env',
  'app',
  'server',
  'fastify',
  'expired',
  'ip',
  'host',
  'port',
  'now',
  'timestamp',
  'locale',
  'lang',
  'useragent',
  'requestid',
]);

/** Verbs that produce something new; without an object in the name, the result type names it. */
const PRODUCING_VERBS = new Set([
  'create',
  'make',
  'new',
  'build',
  'generate',
  'issue',
  'mint',
  'compute',
  'calculate',
]);

/** Abbreviations spelled out in prose. */
const ALIASES: Record<string, string> = {
  err: 'error',
  req: 'request',
  res: 'response',
  ctx: 'context',
  opts: 'options',
  msg: 'message',
  cb: 'callback',
  fn: 'function',
  evt: 'event',
  idx: 'index',
  str: 'string',
  num: 'number',
  cfg: 'config',
  conf: 'config',
  dir: 'directory',
  src: 'source',
  dst: 'destination',
  dest: 'destination',
  tmp: 'temporary',
  env: 'environment',
  pkg: 'package',
  repo: 'repository',
  args: 'arguments',
  params: 'parameters',
  prev: 'previous',
  attrs: 'attributes',
  addr: 'address',
  buf: 'buffer',
  len: 'length',
  db: 'database',
};

/** A parameter's name as prose words, abbreviations spelled out. */
function paramWords(name: string): string[] {
  return splitIdentifier(name).map((word) => ALIASES[word] ?? word);
}

function canBeObject(param: ParamFact): boolean {
  const name = param.name.replace(/^[*_]+/, '').toLowerCase();
  return (
    name.length > 1 &&
    !NON_OBJECTS.has(name) &&
    param.type.kind !== 'boolean' &&
    param.type.kind !== 'number' &&
    param.type.kind !== 'function'
  );
}

function frame(f: FunctionFacts): Framing {
  const parts = analyzeName(f.name);
  const mainParams = f.params.filter((p) => !isAuxiliary(p) && p.name !== 'self' && p.name !== 'cls');
  const candidates = mainParams.filter(canBeObject);
  const ownerWords = f.owner ? splitIdentifier(f.owner) : [];
  const owner = ownerWords.length > 0 ? `the ${phrase(ownerWords)}` : undefined;
  const base = { parts, owner };
  if (parts.predicate) {
    const first = candidates[0] ?? mainParams[0];
    let subject = owner ?? 'it';
    let rest = parts.object;
    let objectParam: ParamFact | undefined;
    if (first) {
      const subjectWords = paramWords(first.name);
      if (endsWithWords(rest, subjectWords)) rest = rest.slice(0, rest.length - subjectWords.length);
      subject = `the ${phrase(subjectWords)}`;
      objectParam = first;
    }
    const clause = [subject, parts.predicate, phrase(rest)].filter(Boolean).join(' ');
    return {
      ...base,
      object: subject,
      objectWords: rest,
      objectSource: 'param',
      clause,
      ...(objectParam && { objectParam }),
    };
  }
  if (parts.object.length > 0) {
    const objectParam = mainParams.find((p) => sameWords(splitIdentifier(p.name), parts.object));
    return {
      ...base,
      object: objectNoun(parts.object, parts.verbWord),
      objectWords: parts.object,
      objectSource: 'name',
      ...(objectParam && { objectParam }),
    };
  }
  if (mainParams.length >= 2 && mainParams.every((p) => p.name.length === 1)) {
    // `add(a, b)`: the operands are the object.
    const object = listing(mainParams.map((p) => `\`${p.name}\``));
    return { ...base, object, objectWords: [], objectSource: 'param', operands: true };
  }
  const fromOwner = (words: string[]): Framing => ({
    ...base,
    object: objectNoun(words, parts.verbWord),
    objectWords: words,
    objectSource: 'owner',
  });
  const entity = entityWords(ownerWords);
  const hasRole = entity.length > 0 && entity.length < ownerWords.length;
  const returnedShape = unwrapPromise(f.returnType);
  const returned = typeNoun(returnedShape.kind === 'array' ? returnedShape.element : returnedShape);
  const verbWord = parts.verbWord ?? '';
  if (entity.length > 0 && SELF_VERBS.has(verbWord)) return fromOwner(entity);
  if (PRODUCING_VERBS.has(verbWord) && (returned || (entity.length > 0 && !/^(compute|calculate)$/.test(verbWord)))) {
    return fromOwner((returned ?? phrase(entity.map(singularize))).split(' '));
  }
  if (parts.qualifier.length > 0 && (hasRole || returned)) {
    // `UserRepository.findByEmail(email)` finds a user.
    return fromOwner(hasRole ? entity : (returned ?? '').split(' '));
  }
  const first = candidates[0];
  const firstWords = first ? paramWords(first.name) : [];
  if (
    first &&
    returned &&
    LOCATION_WORDS.has(firstWords[firstWords.length - 1] ?? '') &&
    FETCHING_VERBS.has(verbWord)
  ) {
    // `load(path): Circle[]` loads the circles from the given path.
    const plural = returnedShape.kind === 'array';
    const words = (plural ? pluralize(returned) : returned).split(' ');
    return { ...base, object: objectNoun(words, parts.verbWord), objectWords: words, objectSource: 'owner' };
  }
  if (first && f.kind !== 'constructor') {
    const words = paramWords(first.name);
    const last = words[words.length - 1] ?? '';
    if (words.length > 1 && LOOKUP_KEYS.has(last)) {
      // `get(userId)`: the object is the user, found by its id.
      const head = words.slice(0, -1);
      return { ...base, object: objectNoun(head, parts.verbWord), objectWords: head, objectSource: 'param' };
    }
    return {
      ...base,
      object: objectNoun(words, parts.verbWord),
      objectWords: words,
      objectSource: 'param',
      objectParam: first,
    };
  }
  return { ...base, object: '', objectWords: [], objectSource: 'none' };
}

/** Verbs that take their object out of their argument: "parses the config from the given text". */
const READING_VERBS = new Set([
  'parse',
  'load',
  'read',
  'decode',
  'extract',
  'convert',
  'import',
  'download',
  'resolve',
]);

/** Parameter words that say where something comes from. */
const LOCATION_WORDS = new Set([
  'path',
  'url',
  'uri',
  'file',
  'filename',
  'filepath',
  'directory',
  'dir',
  'source',
  'endpoint',
]);

/** Verbs that bring something in from a location. */
const FETCHING_VERBS = new Set(['load', 'read', 'fetch', 'get', 'download', 'import', 'parse', 'open']);

/** Verbs that, on a method, act on the object itself rather than on their first argument. */
const SELF_VERBS = new Set([
  'increment',
  'decrement',
  'advance',
  'grow',
  'shrink',
  'resize',
  'reset',
  'clear',
  'start',
  'stop',
  'open',
  'close',
  'connect',
  'disconnect',
  'enable',
  'disable',
  'toggle',
  'refresh',
  'flush',
  'init',
  'initialize',
  'setup',
  'configure',
  'lock',
  'unlock',
  'mount',
  'unmount',
  'run',
  'execute',
  'shutdown',
  'restore',
  'sync',
]);

/** Role words a class name ends with; what comes before is the entity it handles (`UserRepository` → user). */
const ROLE_WORDS = new Set([
  'service',
  'repository',
  'repo',
  'store',
  'dao',
  'cache',
  'manager',
  'controller',
  'client',
  'handler',
  'provider',
  'registry',
  'factory',
  'api',
]);

function entityWords(ownerWords: readonly string[]): string[] {
  const last = ownerWords[ownerWords.length - 1] ?? '';
  if (ownerWords.length > 1 && ROLE_WORDS.has(last)) return ownerWords.slice(0, -1).map(singularize);
  return [...ownerWords];
}

function objectNoun(words: readonly string[], verbWord: string | undefined): string {
  if (words.length === 0) return '';
  const text = phrase(words);
  if (['all', 'every', 'each', 'any', 'some', 'many', 'multiple', 'new'].includes(words[0] ?? '')) return text;
  const plural = isPlural(words[words.length - 1] ?? '');
  if ((verbWord === 'create' || verbWord === 'make' || verbWord === 'new') && !plural)
    return withArticle(`new ${text}`);
  if ((verbWord === 'build' || verbWord === 'generate') && !plural) return withArticle(text);
  return `the ${text}`;
}

function summarize(f: FunctionFacts, framing: Framing): string {
  const { parts } = framing;
  const mainParams = f.params.filter((p) => !isAuxiliary(p) && p.name !== 'self' && p.name !== 'cls');
  const asyncly = (text: string) => (f.isAsync ? `Asynchronously ${decapitalize(text)}` : text);
  const subjectOf = () =>
    framing.owner ?? (mainParams[0] ? `the ${phrase(paramWords(mainParams[0].name))}` : 'the value');
  const returnedShape = unwrapPromise(f.returnType);
  const returnedNoun = typeNoun(returnedShape.kind === 'array' ? returnedShape.element : returnedShape);

  if (f.kind === 'constructor') {
    const words = f.owner ? splitIdentifier(f.owner) : ['instance'];
    const owner = phrase(words);
    return sentence(`Creates ${isPlural(words[words.length - 1] ?? '') ? `the ${owner}` : withArticle(owner)}`);
  }
  if (f.kind === 'getter') return sentence(`The ${possessive(framing.owner)}${phrase(parts.words)}`);
  if (f.kind === 'setter') return sentence(`Sets the ${possessive(framing.owner)}${phrase(parts.words)}`);
  if (framing.clause) return sentence(`Checks whether ${framing.clause}`);
  if (parts.special === 'to') {
    const target = phrase(parts.object);
    return sentence(asyncly(`Converts ${subjectOf()} to ${asTargetNoun(parts.object, target)}`));
  }
  if (parts.special === 'from') {
    const made = f.owner ? humanize(f.owner) : (returnedNoun ?? 'a value');
    const source = asTargetNoun(parts.object, phrase(parts.object));
    return sentence(asyncly(`Creates ${f.owner || returnedNoun ? withArticle(made) : made} from ${source}`));
  }
  if (parts.special === 'on') return sentence(asyncly(`Handles the ${phrase(parts.object)} event`));
  if (parts.special === 'with') {
    const wrapped = mainParams[0] ? `the given ${phrase(paramWords(mainParams[0].name))}` : 'it';
    return sentence(`Returns a version of ${wrapped} with ${phrase(parts.object)}`);
  }
  // A lone trailing preposition takes the first parameter: `accessFor(user)` → "the access for the given user".
  const lonePreposition = parts.qualifier.length === 1 && QUALIFIERS.has(parts.qualifier[0] ?? '');
  const qualifierText = () => {
    if (!lonePreposition) return ` ${phrase(parts.qualifier)}`;
    const target = mainParams.find((p) => p !== framing.objectParam);
    return target ? ` ${parts.qualifier[0]} the given ${phrase(paramWords(target.name))}` : '';
  };
  if (parts.verb && parts.verbWord) {
    let text = parts.verb.third;
    if (framing.object) text += ` ${framing.object}`;
    if (parts.qualifier.length > 0) text += qualifierText();
    else if (!framing.object && returnedNoun && f.returnsValue) text += ` and returns ${withArticle(returnedNoun)}`;
    else if (framing.object && !framing.operands) text += clueText(framing, mainParams);
    return sentence(asyncly(text));
  }
  if (parts.words.length === 1 && parts.words[0] === 'main') return 'Runs the program.';
  if (f.returnsValue) {
    if (/^(me|self|current)$/.test(parts.object.join(' ')) && returnedNoun) {
      return sentence(asyncly(`Returns the current ${returnedNoun}`));
    }
    const clue = mainParams[0];
    const forClue =
      parts.qualifier.length > 0
        ? qualifierText()
        : clue && mainParams.length === 1
          ? ` for the given ${phrase(paramWords(clue.name))}`
          : '';
    return sentence(asyncly(`Returns the ${phrase(parts.object)}${forClue}`));
  }
  return sentence(asyncly(`Runs the ${phrase(parts.words)} step`));
}

/** How the one remaining required parameter relates to the object: "with the given id", "from the given text". */
function clueText(framing: Framing, mainParams: readonly ParamFact[]): string {
  const { parts } = framing;
  if (!parts.verb || !parts.verbWord) return '';
  const clues = mainParams.filter(
    (p) =>
      p !== framing.objectParam &&
      !p.optional &&
      !p.rest &&
      p.defaultValue === undefined &&
      p.type.kind !== 'boolean' &&
      p.type.kind !== 'function' &&
      !NON_OBJECTS.has(p.name.toLowerCase()),
  );
  const clue = clues[0];
  if (!clue || clues.length !== 1) return '';
  const clueWords = paramWords(clue.name);
  const lastClue = clueWords[clueWords.length - 1] ?? '';
  if (LOCATION_WORDS.has(lastClue) && FETCHING_VERBS.has(parts.verbWord)) return ` from the given ${phrase(clueWords)}`;
  if (startsWithWords(clueWords, framing.objectWords) && clueWords.length > framing.objectWords.length) {
    return ` with the given ${phrase(clueWords.slice(framing.objectWords.length))}`;
  }
  if (clueWords.length === 1 && ATTRIBUTES.has(lastClue) && !READING_VERBS.has(parts.verbWord)) {
    return ` with the given ${phrase(clueWords)}`;
  }
  if (sameWords(clueWords, framing.objectWords)) return '';
  return ` ${parts.verb.preposition ?? 'for'} the given ${phrase(clueWords)}`;
}

function possessive(owner: string | undefined): string {
  if (!owner) return '';
  return `${owner.replace(/^the /, '')}'s `;
}

function asTargetNoun(words: readonly string[], text: string): string {
  if (
    words.length === 1 &&
    ['string', 'array', 'object', 'dict', 'list', 'map', 'set', 'number', 'tuple'].includes(words[0] ?? '')
  ) {
    return withArticle(text);
  }
  return text;
}

function unwrapPromise(shape: TypeShape): TypeShape {
  return shape.kind === 'promise' ? shape.inner : shape;
}

/** Side effects as one sentence ("It sends an HTTP request with `fetch` and updates `this.cache`."). */
export function describeEffects(effects: readonly EffectFact[]): string | undefined {
  const byKind = new Map<EffectFact['kind'], string[]>();
  for (const effect of effects) {
    const list = byKind.get(effect.kind) ?? [];
    if (!list.includes(effect.detail)) list.push(effect.detail);
    byKind.set(effect.kind, list);
  }
  const code = (items: string[]) => listing(items.slice(0, 3).map((item) => `\`${item}\``));
  const clauses: string[] = [];
  for (const [kind, details] of byKind) {
    switch (kind) {
      case 'network':
        clauses.push(`sends network requests with ${code(details)}`);
        break;
      case 'fs-read':
        clauses.push(`reads from the file system (${code(details)})`);
        break;
      case 'fs-write':
        clauses.push(`writes to the file system (${code(details)})`);
        break;
      case 'console':
        clauses.push(
          details.some((d) => d.startsWith('console.')) ? 'logs to the console' : 'prints to standard output',
        );
        break;
      case 'log':
        clauses.push(`logs through ${code(details.map((d) => d.replace(/\.\w+$/, '')).filter(unique))}`);
        break;
      case 'db':
        clauses.push(`queries the database (${code(details)})`);
        break;
      case 'emit':
        clauses.push(`emits the ${code(details)} ${details.length > 1 ? 'events' : 'event'}`);
        break;
      case 'state':
        clauses.push(`updates ${code(details)}${details.length > 3 ? ` and ${details.length - 3} more fields` : ''}`);
        break;
      case 'process':
        clauses.push('exits the process');
        break;
      case 'spawn':
        clauses.push(`starts a child process (${code(details)})`);
        break;
      case 'timer':
        clauses.push(`schedules a timer (${code(details)})`);
        break;
    }
  }
  return clauses.length > 0 ? sentence(`It ${listing(clauses)}`) : undefined;
}

/** Side effects as a noun list for a file summary ("network requests (`fetch`) and console output"). */
export function listEffects(effects: readonly EffectFact[]): string | undefined {
  const byKind = new Map<EffectFact['kind'], string[]>();
  for (const effect of effects) {
    const list = byKind.get(effect.kind) ?? [];
    if (!list.includes(effect.detail)) list.push(effect.detail);
    byKind.set(effect.kind, list);
  }
  const code = (items: string[]) => listing(items.slice(0, 3).map((item) => `\`${item}\``));
  const nouns: Record<EffectFact['kind'], (details: string[]) => string> = {
    network: (d) => `network requests (${code(d)})`,
    'fs-read': (d) => `file reads (${code(d)})`,
    'fs-write': (d) => `file writes (${code(d)})`,
    console: () => 'console output',
    log: (d) => `logging (${code(d.map((x) => x.replace(/\.\w+$/, '')).filter(unique))})`,
    db: (d) => `database queries (${code(d)})`,
    emit: (d) => `${code(d)} events`,
    state: (d) => `state changes (${code(d)})`,
    process: () => 'process exits',
    spawn: (d) => `child processes (${code(d)})`,
    timer: (d) => `timers (${code(d)})`,
  };
  const items = [...byKind].map(([kind, details]) => nouns[kind](details));
  return items.length > 0 ? listing(items) : undefined;
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}

/** What a returned value is, in words ("The parsed config.", "`true` if the email is valid, otherwise `false`."). */
function describeReturn(f: FunctionFacts, framing: Framing): string | undefined {
  if (!f.returnsValue || f.kind === 'constructor' || f.kind === 'setter' || f.kind === 'getter') return undefined;
  let shape = f.returnType;
  let promise = false;
  if (shape.kind === 'promise') {
    promise = true;
    shape = shape.inner;
  }
  if (shape.kind === 'void') return undefined;
  if (f.isGenerator) return undefined;
  const text = describeValue(f, framing, shape);
  if (!text) return undefined;
  return sentence(promise && f.language !== 'python' ? `A promise that resolves to ${decapitalize(text)}` : text);
}

function describeValue(f: FunctionFacts, framing: Framing, shape: TypeShape): string {
  const { parts } = framing;
  const language = f.language;
  const verbWord = parts.verbWord ?? '';
  const participle = parts.verb && TELLING_PARTICIPLES.has(verbWord) ? parts.verb.participle : '';
  const objectWords = framing.objectWords.length > 0 ? framing.objectWords : parts.words;
  const noun = (fallback: readonly string[]) => phrase(fallback.length > 0 ? fallback : ['result']);
  const the = (text: string) => (participle ? `the ${participle} ${text}` : `the ${text}`);

  switch (shape.kind) {
    case 'boolean': {
      if (framing.clause)
        return `${literal(language, 'true')} if ${framing.clause}, otherwise ${literal(language, 'false')}`;
      const subject = framing.object || 'it';
      if (['validate', 'check', 'verify'].includes(verbWord)) {
        return `${literal(language, 'true')} if ${subject} is valid, otherwise ${literal(language, 'false')}`;
      }
      if (parts.verb) {
        const done = parts.verb.participle.replace(/^newly /, '') || 'found';
        const be = isPlural(objectWords[objectWords.length - 1] ?? '') ? 'were' : 'was';
        return `${literal(language, 'true')} if ${subject.replace(/^an? (new )?/, 'the ')} ${be} ${done}, otherwise ${literal(language, 'false')}`;
      }
      return `${literal(language, 'true')} when ${phrase(parts.words)} holds, otherwise ${literal(language, 'false')}`;
    }
    case 'nullable': {
      const inner = describeValue(f, framing, shape.inner);
      const none = literal(language, 'null').replace('null', shape.none);
      const when = ['find', 'search', 'lookup', 'match'].includes(verbWord) ? 'nothing matches' : 'there is none';
      return `${inner}, or ${none} if ${when}`;
    }
    case 'array': {
      const element = typeNoun(shape.element);
      const last = objectWords[objectWords.length - 1] ?? '';
      const words = element && (!isPlural(last) || framing.objectSource !== 'name') ? element : phrase(objectWords);
      if (verbWord === 'count') return `the number of ${pluralize(words)}`;
      return the(pluralize(words));
    }
    case 'map': {
      const key = typeNoun(shape.key);
      return key ? `${the(noun(objectWords))}, keyed by ${key}` : the(noun(objectWords));
    }
    case 'string': {
      if (parts.special === 'to')
        return `the ${phrase(parts.object)} representation of ${framing.owner ?? 'the value'}`;
      if (!parts.verb && !framing.clause) return `the ${phrase(parts.object)}`;
      if (['describe', 'summarize', 'explain'].includes(verbWord)) {
        return `${verbWord === 'summarize' ? 'a summary' : 'a description'} of ${framing.object || 'it'}`;
      }
      return the(noun(objectWords));
    }
    case 'number': {
      if (verbWord === 'count') return `the number of ${pluralize(noun(objectWords))}`;
      return the(noun(objectWords));
    }
    case 'function': {
      if (parts.special === 'with') return `the wrapped ${mainParamNoun(f) ?? 'function'}`;
      return `a function that ${framing.object ? `handles ${framing.object}` : 'does the work'}`;
    }
    case 'literals':
      return `one of ${listing(
        shape.values.map((v) => `\`${v}\``),
        'or',
      )}`;
    case 'tuple':
      return the(noun(objectWords));
    case 'iterator':
      return `an iterator over ${the(pluralize(noun(objectWords)))}`;
    case 'error':
      return 'the error, if any';
    case 'named': {
      const typeWords = typeNoun(shape);
      if (parts.special === 'from') return `the new ${typeWords ?? noun(objectWords)}`;
      if (parts.special === 'to')
        return `the ${phrase(parts.object)} representation of ${framing.owner ?? 'the value'}`;
      if (!parts.verb && !framing.clause) {
        if (/^(me|self|current)$/.test(parts.object.join(' ')) && typeWords) return `the current ${typeWords}`;
        return `the ${phrase(parts.object)}`;
      }
      const words = typeWords && framing.objectSource !== 'name' ? typeWords : noun(objectWords);
      if (verbWord === 'create' || verbWord === 'make' || verbWord === 'new') return `the newly created ${words}`;
      return the(words);
    }
    default:
      if (!parts.verb) return `the ${phrase(parts.object)}`;
      if (verbWord === 'create' || verbWord === 'make' || verbWord === 'new')
        return `the newly created ${noun(objectWords)}`;
      return the(noun(objectWords));
  }
}

function mainParamNoun(f: FunctionFacts): string | undefined {
  const first = f.params[0];
  return first ? humanize(first.name) : undefined;
}

/** A verb as written after "to": `login` → "log in". */
function baseForm(verbWord: string): string {
  const spaced: Record<string, string> = {
    login: 'log in',
    logout: 'log out',
    setup: 'set up',
    lookup: 'look up',
    shutdown: 'shut down',
  };
  return spaced[verbWord] ?? verbWord;
}

/** One parameter's description ("The user's id.", "Whether to include hidden files."). */
function describeParam(f: FunctionFacts, framing: Framing, param: ParamFact): string {
  const words = splitIdentifier(param.name);
  const name = words.join('');
  const verbWord = framing.parts.verbWord;
  const purpose = verbWord && param === framing.objectParam && !framing.clause ? ` to ${baseForm(verbWord)}` : '';
  const objectText = framing.objectWords.length > 0 ? phrase(framing.objectWords) : undefined;
  const ownerText = framing.owner?.replace(/^the /, '');
  const subjectText = objectText ?? ownerText;
  let text: string;

  const position = f.params.filter((p) => p.name !== 'self' && p.name !== 'cls').indexOf(param);
  if (param.keywords) text = 'Additional keyword arguments.';
  else if (param.name.length === 1 && f.params.every((p) => p.name.length === 1) && f.params.length > 1) {
    const ordinal = ['first', 'second', 'third', 'fourth', 'fifth'][position] ?? 'next';
    const kind = param.type.kind === 'number' || param.type.kind === 'string' ? param.type.kind : 'value';
    text = `The ${ordinal} ${kind}.`;
  } else if (param.rest && (name === 'args' || name === 'rest' || name === 'params')) text = 'Additional arguments.';
  else if ((name === 'ctx' || name === 'context') && /context/i.test(param.typeText ?? '')) {
    text = f.language === 'go' ? 'The context that carries cancellation and deadlines.' : 'The context of the call.';
  } else if (name === 'ctx' || name === 'context') text = 'The context of the call.';
  else if (name === 'signal') text = 'Aborts the operation when triggered.';
  else if (name === 'options' || name === 'opts' || name === 'config' || name === 'settings') {
    const properties = shapeProperties(param.type);
    const what = verbWord && framing.parts.verb ? ` how ${describeSubjectForOptions(framing)}` : '';
    text = `Options that control${what || ' the call'}${properties.length ? ` (${listing(properties.slice(0, 6).map((p) => `\`${p}\``))})` : ''}.`;
  } else if (param.type.kind === 'function' || ['callback', 'cb', 'done', 'handler', 'listener', 'fn'].includes(name)) {
    const args = param.type.kind === 'function' ? param.type.params.filter((p) => p !== '_') : [];
    const withArgs = args.length > 0 ? ` with the ${listing(args.map((a) => humanize(a)))}` : '';
    const callbackName = /^(callback|cb|done|handler|listener|fn|on[A-Z].*|.*(Callback|Handler|Listener|Hook))$/.test(
      param.name,
    );
    if (name === 'next') text = 'Passes control to the next handler.';
    else if (framing.parts.special === 'with') text = `The function to wrap.`;
    else if (!callbackName && param.type.kind === 'function' && args.length === 0) {
      text = `Returns the ${phrase(paramWords(param.name))} when called.`;
    } else if (!callbackName && param.type.kind === 'function') {
      text = `Computes the ${phrase(paramWords(param.name))} from the ${listing(args.map((a) => phrase(paramWords(a))))}.`;
    } else text = `Called${withArgs}${verbWord ? ` when the ${verbWord === 'run' ? 'run' : verbWord} finishes` : ''}.`;
  } else if (name === 'next') text = 'Passes control to the next handler.';
  else if (name === 'req' || name === 'request') text = 'The incoming request.';
  else if (name === 'res' || name === 'response' || name === 'reply') text = 'The response to write to.';
  else if (name === 'err' || name === 'error') text = 'The error to handle.';
  else if (name === 'e' || name === 'event' || name === 'evt' || name === 'ev') text = 'The event being handled.';
  else if (name === 'logger' || name === 'log') text = 'The logger to write to.';
  else if (name === 'db' || name === 'database' || name === 'pool' || name === 'tx' || name === 'conn') {
    text = name === 'tx' ? 'The database transaction to run in.' : 'The database connection to use.';
  } else if (name === 'id' && subjectText) text = `The ${subjectText}'s id.`;
  else if (name === 'key' || name === 'k')
    text = verbWord === 'get' || verbWord === 'find' ? 'The key to look up.' : 'The key.';
  else if (name === 'value' || name === 'val' || name === 'v')
    text = verbWord ? `The value to ${baseForm(verbWord)}.` : 'The value.';
  else if (name === 'data' || name === 'payload' || name === 'body')
    text = verbWord ? `The data to ${baseForm(verbWord)}.` : 'The data.';
  else if (['input', 'text', 'str', 's', 'source', 'src', 'raw', 'content', 'contents'].includes(name) && verbWord) {
    text = `The text to ${baseForm(verbWord)}.`;
  } else if (name === 'url' || name === 'uri' || name === 'endpoint') text = 'The URL to request.';
  else if (name === 'path' || name === 'file' || name === 'filename' || name === 'filepath') {
    text = verbWord ? `The path of the file to ${baseForm(verbWord)}.` : 'The path of the file.';
  } else if (name === 'dir' || name === 'directory' || name === 'cwd' || name === 'root')
    text = 'The directory to work in.';
  else if (name === 'i' || name === 'idx' || name === 'index')
    text = subjectText ? `The position of the ${subjectText}.` : 'The position.';
  else if (name === 'n' || name === 'limit')
    text = `The maximum number of ${pluralize(subjectText ?? 'items')} to return.`;
  else if (name === 'offset' || name === 'skip') text = 'How many items to skip.';
  else if (name === 'page') text = 'The page number.';
  else if (name === 'encoding') text = 'The character encoding.';
  else if (param.type.kind === 'boolean') text = describeFlag(words);
  else {
    const { words: base, unit } = describeUnit(words.map((word) => ALIASES[word] ?? word));
    const typeWords = typeNoun(param.type)?.split(' ');
    // `auth: AuthContext` is the auth context; `s: FsSignature` is the FS signature.
    const tiny = base.length === 1 && (base[0]?.length ?? 0) <= 2;
    if (typeWords && !unit && (tiny || startsWithWords(typeWords, base) || endsWithWords(typeWords, base))) {
      base.splice(0, base.length, ...typeWords);
    }
    const nounText = nounForParam(base);
    const shape = param.type;
    const listy = shape.kind === 'array' && !isPlural(base[base.length - 1] ?? '');
    text = sentence(
      `The ${listy ? `list of ${pluralize(nounText)}` : nounText}${purpose}${unit ? `, in ${unit}` : ''}`,
    );
  }
  if (param.defaultValue !== undefined && param.defaultValue.length <= 40 && !/\n/.test(param.defaultValue)) {
    text += ` Defaults to \`${param.defaultValue}\`.`;
  } else if (param.optional && f.language === 'javascript' && !param.rest) text += ' Optional.';
  return text;
}

function describeSubjectForOptions(framing: Framing): string {
  const verb = framing.parts.verb;
  const object = framing.object.replace(/^an? (new )?/, 'the ') || 'it';
  if (!verb) return `${object} is handled`;
  const be = isPlural(framing.objectWords[framing.objectWords.length - 1] ?? '') ? 'are' : 'is';
  const done = verb.participle.replace(/^newly /, '') || 'retrieved';
  return `${object} ${be} ${done}`;
}

function shapeProperties(shape: TypeShape): string[] {
  if (shape.kind === 'object') return shape.properties;
  if (shape.kind === 'named') return shape.properties ?? [];
  if (shape.kind === 'nullable') return shapeProperties(shape.inner);
  return [];
}

function nounForParam(words: readonly string[]): string {
  if (words.length === 0) return 'value';
  const last = words[words.length - 1] ?? '';
  const head = words.slice(0, -1);
  const first = words[0] ?? '';
  if (first === 'max' || first === 'maximum') return `maximum ${phrase(words.slice(1))}`;
  if (first === 'min' || first === 'minimum') return `minimum ${phrase(words.slice(1))}`;
  if (head.length === 1 && POSSESSIVES.has(last) && !ADJECTIVES.has(first))
    return `${phrase(head)}'s ${phrase([last])}`;
  return phrase(words);
}

function describeFlag(words: readonly string[]): string {
  const [first = '', ...rest] = words;
  if (PREDICATE_VERBS.has(first) && rest.length > 0) return sentence(`Whether it ${first} ${phrase(rest)}`);
  if (/ed$/.test(first) && rest.length > 0) return sentence(`Whether it ${phrase(words)}`);
  if (/(ed|able|ible)$/.test(first)) return sentence(`Whether it is ${phrase(words)}`);
  if (
    lookupVerb(first) ||
    ['include', 'allow', 'skip', 'force', 'keep', 'follow', 'overwrite', 'recurse', 'ignore'].includes(first)
  ) {
    return sentence(`Whether to ${phrase(words)}`);
  }
  return sentence(`Whether to use ${phrase(words)} mode`);
}

/** How the function fails, one entry per type and condition. */
function describeFailures(f: FunctionFacts, framing: Framing): FunctionDoc['failures'] {
  const merged = new Map<string, FailureFact[]>();
  for (const failure of f.failures) {
    const key = `${failure.via}:${failure.type}`;
    merged.set(key, [...(merged.get(key) ?? []), failure]);
  }
  const out: FunctionDoc['failures'] = [];
  for (const failures of merged.values()) {
    const first = failures[0];
    if (!first) continue;
    const conditions = failures.map((failure) => failureCondition(failure, framing)).filter(unique);
    out.push({ type: first.type, text: listing(conditions, 'or'), via: first.via });
  }
  return out;
}

function failureCondition(failure: FailureFact, framing: Framing): string {
  if (failure.condition) return failure.condition;
  if (failure.from) return `\`${failure.from}\` fails`;
  if (failure.message) return `it fails with "${failure.message}"`;
  const verb = framing.parts.verb;
  if (verb && framing.object) {
    const object = framing.object.replace(/^an? (new )?/, 'the ');
    const done = verb.participle.replace(/^(newly |matching$)/, '') || 'retrieved';
    return `${object} cannot be ${done === 'matching' ? 'found' : done}`;
  }
  return 'the operation fails';
}

/** The prose for a function or method. */
export function describeFunction(f: FunctionFacts): FunctionDoc {
  const framing = frame(f);
  const summary = summarize(f, framing);
  const details: string[] = [];
  const effects = describeEffects(f.kind === 'constructor' ? f.effects.filter((e) => e.kind !== 'state') : f.effects);
  if (effects) details.push(effects);
  const params = f.params
    .filter((p) => p.name !== 'self' && p.name !== 'cls' && p.name !== '_')
    .map((p) => ({
      name: p.name,
      text: describeParam(f, framing, p),
      ...(p.typeText !== undefined && { typeText: p.typeText }),
      rest: p.rest,
      keywords: p.keywords ?? false,
    }));
  const returns = describeReturn(f, framing);
  const doc: FunctionDoc = { summary, details, params, failures: describeFailures(f, framing) };
  if (returns) doc.returns = returns;
  if (f.isGenerator) {
    const element = f.returnType.kind === 'iterator' ? typeNoun(f.returnType.element) : undefined;
    const words = f.yieldName
      ? phrase(paramWords(f.yieldName))
      : framing.objectWords.length > 0
        ? phrase(framing.objectWords)
        : 'item';
    doc.yields = sentence(
      `Each ${element ?? singularize(words)}${framing.parts.verb && TELLING_PARTICIPLES.has(framing.parts.verbWord ?? '') ? ` ${framing.parts.verb.participle}` : ''}`,
    );
  }
  return doc;
}

/** How a class, interface, struct, alias or enum reads in its first sentence, by what its name ends with. */
const ROLE_SUFFIXES: [string, (subject: string, plural: string) => string][] = [
  ['service', (_s, p) => `Manages ${p}`],
  ['repository', (_s, p) => `Stores and loads ${p}`],
  ['repo', (_s, p) => `Stores and loads ${p}`],
  ['store', (_s, p) => `Stores and loads ${p}`],
  ['dao', (_s, p) => `Stores and loads ${p}`],
  ['controller', (_s, p) => `Handles requests for ${p}`],
  ['handler', (s) => `Handles ${s}`],
  ['client', (s) => `Talks to the ${s} API`],
  ['provider', (s) => `Provides ${s}`],
  ['factory', (_s, p) => `Creates ${p}`],
  ['builder', (s) => `Builds ${withArticle(s)} step by step`],
  ['manager', (_s, p) => `Manages ${p}`],
  ['cache', (_s, p) => `Caches ${p}`],
  ['queue', (_s, p) => `Queues ${p}`],
  ['parser', (s) => `Parses ${s}`],
  ['validator', (_s, p) => `Validates ${p}`],
  ['formatter', (_s, p) => `Formats ${p}`],
  ['serializer', (_s, p) => `Serializes ${p}`],
  ['registry', (_s, p) => `Keeps a registry of ${p}`],
  ['listener', (s) => `Listens for ${s} events`],
  ['adapter', (s) => `Adapts ${s} to a common interface`],
  ['middleware', (s) => `Middleware for ${s}`],
];

const ERROR_CLAUSES: [RegExp, string][] = [
  [/^not ?found$/, 'the requested item does not exist'],
  [/^(validation|invalid( input)?)$/, 'input fails validation'],
  [/^time ?out$/, 'an operation takes too long'],
  [/^(auth|authentication|unauthorized|unauthenticated)$/, 'the caller is not authenticated'],
  [/^(forbidden|permission|access denied)$/, 'the caller lacks permission'],
  [/^conflict$/, 'a change conflicts with the current state'],
  [/^(parse|syntax)$/, 'input cannot be parsed'],
  [/^(config|configuration)$/, 'the configuration is invalid'],
  [/^(network|http|fetch|request)$/, 'a request fails'],
  [/^rate ?limit$/, 'the rate limit is exceeded'],
];

/** "a user", "an invoice", but "the auth limits" for a plural name. */
function nounWithArticle(words: readonly string[]): string {
  const text = phrase(words);
  return isPlural(words[words.length - 1] ?? '') ? `the ${text}` : withArticle(text);
}

/** The prose for a class, interface, struct, type alias or enum. */
export function describeType(t: TypeFacts): TypeDoc {
  const words = splitIdentifier(t.name.replace(/^I(?=[A-Z][a-z])/, ''));
  const text = phrase(words);
  const last = words[words.length - 1] ?? '';
  const subjectWords = words.slice(0, -1);
  const subject = phrase(subjectWords);
  const details: string[] = [];
  let summary: string;

  const isError = /^(error|exception)$/.test(last) || t.extends.some((base) => /(Error|Exception)$/.test(base));
  if (isError && (t.kind === 'class' || t.kind === 'struct')) {
    const prefix = /^(error|exception)$/.test(last) ? subject : text;
    const known = ERROR_CLAUSES.find(([pattern]) => pattern.test(prefix));
    const clause = known ? known[1] : prefix ? `${withArticle(prefix)} failure occurs` : 'an operation fails';
    const verb = t.language === 'python' ? 'Raised' : t.language === 'go' ? 'Returned' : 'Thrown';
    summary = sentence(`${verb} when ${clause}`);
  } else if (t.kind === 'enum') {
    summary = sentence(`The possible ${pluralize(text)}`);
    if (t.properties.length > 0)
      details.push(
        sentence(
          `One of ${listing(
            t.properties.slice(0, 8).map((p) => `\`${p}\``),
            'or',
          )}${t.properties.length > 8 ? ` (${t.properties.length} in all)` : ''}`,
        ),
      );
  } else if (t.kind === 'type' && t.aliasOf) {
    summary = describeAlias(t, text, words);
  } else if (
    t.kind === 'interface' ||
    (t.kind === 'struct' && (t.properties.length > 0 || t.methods.length === 0)) ||
    (t.kind === 'type' && !t.aliasOf) ||
    (t.kind === 'class' && t.methods.length === 0 && t.properties.length > 0 && t.extends.length === 0)
  ) {
    summary = describeShape(t, words);
  } else {
    const role = ROLE_SUFFIXES.find(([suffix]) => suffix === last && subjectWords.length > 0);
    summary = role ? sentence(role[1](subject, pluralize(subject))) : sentence(`Represents ${nounWithArticle(words)}`);
  }
  const plainBase = isError && t.extends.every((base) => /^(Error|Exception|BaseException)$/.test(base));
  if (t.extends.length > 0 && t.kind !== 'interface' && !plainBase)
    details.push(sentence(`Extends ${listing(t.extends.map((e) => `\`${e}\``))}`));
  if (t.implements.length > 0) details.push(sentence(`Implements ${listing(t.implements.map((e) => `\`${e}\``))}`));
  if ((t.kind === 'class' || t.kind === 'struct') && t.methods.length > 0) {
    const shown = t.methods.slice(0, 5).map((m) => `\`${m}\``);
    const more = t.methods.length > 5 ? ` and ${t.methods.length - 5} more` : '';
    details.push(sentence(`Provides ${more ? `${shown.join(', ')}${more}` : listing(shown)}`));
  }
  return { summary, details };
}

function describeShape(t: TypeFacts, words: readonly string[]): string {
  const last = words[words.length - 1] ?? '';
  const subject = phrase(words.slice(0, -1));
  const fields = t.properties.map((p) => `\`${p}\``);
  const members = fields.length > 0 ? fields : t.methods.map((m) => `\`${m}\``);
  const shown =
    members.length > 6 ? `${members.slice(0, 5).join(', ')} and ${members.length - 5} more` : listing(members);
  const suffix = shown ? `: ${shown}` : '';
  const roles: Record<string, string> = {
    options: `Options for ${subject}`,
    opts: `Options for ${subject}`,
    config: `Configuration for ${subject}`,
    settings: `Settings for ${subject}`,
    props: `Props of the ${subject} component`,
    params: `Parameters for ${subject}`,
    args: `Arguments for ${subject}`,
    input: `Input for ${subject}`,
    request: `The ${subject} request`,
    response: `The ${subject} response`,
    result: `The result of ${subject}`,
    state: `The state of ${subject}`,
    event: `The ${subject} event`,
    context: `The context of ${subject}`,
  };
  const role = subject ? roles[last] : undefined;
  if (role) return sentence(`${role}${suffix}`);
  if (fields.length === 0 && t.methods.length > 0)
    return sentence(`Contract for ${nounWithArticle(words)}: provides ${shown}`);
  return sentence(`Describes ${nounWithArticle(words)}${suffix}`);
}

function describeAlias(t: TypeFacts, text: string, words: readonly string[]): string {
  const shape = t.aliasOf;
  if (!shape) return sentence(`Represents ${withArticle(text)}`);
  switch (shape.kind) {
    case 'literals':
      return sentence(
        `${capitalize(withArticle(text))}: one of ${listing(
          shape.values.map((v) => `\`${v}\``),
          'or',
        )}`,
      );
    case 'function':
      return sentence(
        `Signature of ${withArticle(text)}${shape.params.length ? `, called with the ${listing(shape.params.map(humanize))}` : ''}`,
      );
    case 'object':
      return describeShape({ ...t, properties: shape.properties }, words);
    case 'array':
      return sentence(`A list of ${pluralize(typeNoun(shape.element) ?? 'items')}`);
    case 'nullable':
      return sentence(`${capitalize(withArticle(typeNoun(shape.inner) ?? text))}, or \`${shape.none}\``);
    case 'named':
      return sentence(`Another name for \`${t.aliasText ?? shape.name}\``);
    default:
      return sentence(
        `Represents ${withArticle(text)}${t.aliasText && t.aliasText.length <= 60 ? ` (\`${t.aliasText}\`)` : ''}`,
      );
  }
}
