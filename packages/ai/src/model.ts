import { type SymbolKind } from './types.js';

/** Languages the local provider reads. */
export type Language = 'typescript' | 'javascript' | 'python' | 'go';

/** A type reduced to what matters for prose: is it a list, a promise, optional, a yes/no answer? */
export type TypeShape =
  | { kind: 'void' }
  | { kind: 'boolean' }
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'error' }
  | { kind: 'array'; element: TypeShape }
  | { kind: 'map'; key: TypeShape; value: TypeShape }
  | { kind: 'promise'; inner: TypeShape }
  | { kind: 'iterator'; element: TypeShape }
  | { kind: 'nullable'; inner: TypeShape; none: string }
  | { kind: 'function'; params: string[] }
  | { kind: 'tuple'; items: TypeShape[] }
  | { kind: 'literals'; values: string[] }
  | { kind: 'named'; name: string; properties?: string[] }
  | { kind: 'object'; properties: string[] }
  | { kind: 'unknown' };

/** One parameter as declared. */
export interface ParamFact {
  name: string;
  type: TypeShape;
  /** The type as written (or inferred), for languages whose docs carry types. */
  typeText?: string;
  optional: boolean;
  defaultValue?: string;
  /** `...rest` / `*args`. */
  rest: boolean;
  /** `**kwargs`. */
  keywords?: boolean;
}

/** A way the function fails: a thrown/raised exception, a panic, or (Go) a returned error. */
export interface FailureFact {
  /** The exception type (`NotFoundError`, `ValueError`); empty for a Go error value built in place. */
  type: string;
  /** The enclosing condition, already in English ("`user` is missing"). */
  condition?: string;
  /** The literal message, when the error is built from one. */
  message?: string;
  /** How it fails: thrown (TS, Python), a Go panic, or a Go returned error. */
  via: 'throw' | 'panic' | 'return';
  /** For a returned error that passes on another call's error: that call (`db.QueryRow`). */
  from?: string;
}

/** Something the body does besides computing its result. */
export interface EffectFact {
  kind:
    'network' | 'fs-read' | 'fs-write' | 'console' | 'log' | 'db' | 'emit' | 'state' | 'process' | 'spawn' | 'timer';
  /** The call or field, as written (`fetch`, `fs.readFile`, `this.cache`), or the event name for `emit`. */
  detail: string;
}

/** Everything the describer needs to know about a function or method. */
export interface FunctionFacts {
  language: Language;
  name: string;
  kind: Extract<SymbolKind, 'function' | 'method' | 'constructor' | 'getter' | 'setter'>;
  /** The class, struct or receiver type a method belongs to. */
  owner?: string;
  params: ParamFact[];
  returnType: TypeShape;
  returnTypeText?: string;
  /** Whether some `return` hands back a value (or the signature declares one). */
  returnsValue: boolean;
  isAsync: boolean;
  isGenerator: boolean;
  failures: FailureFact[];
  effects: EffectFact[];
  /** For a generator: the name of what it yields, when it yields a plain variable (`yield child`). */
  yieldName?: string;
  /** The expressions it awaits, outside nested functions, as written (`fetch(url)`). */
  awaits?: string[];
  /** Writes to a parameter's properties or contents: `req.params = …`, `arr.splice(i, 1)`, `delete opts.x`. */
  writes?: { param: string; detail: string }[];
  /** When the body is one `return <expression>` (or an arrow's expression body): that expression. */
  returnsExpression?: string;
}

/** Everything the describer needs to know about a class, interface, struct, type alias or enum. */
export interface TypeFacts {
  language: Language;
  name: string;
  kind: Extract<SymbolKind, 'class' | 'interface' | 'type' | 'enum' | 'struct'>;
  /** Data members (fields, properties, enum members). */
  properties: string[];
  /** Public methods, in declaration order. */
  methods: string[];
  extends: string[];
  implements: string[];
  /** For a type alias: what it stands for. */
  aliasOf?: TypeShape;
  aliasText?: string;
}

/**
 * The prose for a function, before a language renders it as JSDoc, a docstring or Go comment lines. It states only
 * what the code does: texts are empty where nothing could be derived, and the summary is then a placeholder.
 */
export interface FunctionDoc {
  /** First sentence: derived from the code (`Returns \`a + b\`.`) or the placeholder `TODO: describe.`. */
  summary: string;
  /** Further sentences (what it awaits, side effects). */
  details: string[];
  /** Each parameter; `text` holds what the code says besides the type (default, optional, modified), or is empty. */
  params: { name: string; text: string; typeText?: string; rest: boolean; keywords: boolean }[];
  /** Set when it returns a value of a known type: prose beyond the type (often empty). */
  returns?: string;
  /** The declared or inferred type of the returned value. */
  returnsType?: string;
  yields?: string;
  /** `text` is the condition read off the code ("`user` is missing"), or empty. */
  failures: { type: string; text: string; via: FailureFact['via'] }[];
}

/** The prose for a type: a verb-led summary plus details. */
export interface TypeDoc {
  summary: string;
  details: string[];
}
