import { describe, expect, it } from 'vitest';
import { PLACEHOLDER, describeFunction, describeType } from './describe.js';
import { type FunctionFacts, type ParamFact, type TypeShape } from './model.js';
import { LocalProvider } from './provider.js';
import { splitIdentifier } from './words.js';

const param = (name: string, type: TypeShape = { kind: 'string' }, extra: Partial<ParamFact> = {}): ParamFact => ({
  name,
  type,
  optional: false,
  rest: false,
  ...extra,
});

const fn = (name: string, facts: Partial<FunctionFacts> = {}): FunctionFacts => ({
  language: 'typescript',
  name,
  kind: 'function',
  params: [],
  returnType: { kind: 'void' },
  returnsValue: false,
  isAsync: false,
  isGenerator: false,
  failures: [],
  effects: [],
  ...facts,
});

describe('splitIdentifier', () => {
  it('splits camelCase, PascalCase, snake_case, kebab-case and acronyms', () => {
    expect(splitIdentifier('parseHTTPResponse')).toEqual(['parse', 'http', 'response']);
    expect(splitIdentifier('user_id')).toEqual(['user', 'id']);
    expect(splitIdentifier('UserRepository')).toEqual(['user', 'repository']);
    expect(splitIdentifier('MAX_RETRY_COUNT')).toEqual(['max', 'retry', 'count']);
    expect(splitIdentifier('data-dir')).toEqual(['data', 'dir']);
    expect(splitIdentifier('_private2')).toEqual(['private', '2']);
  });
});

describe('describeFunction', () => {
  it('states the types, the default and the return type, and leaves the summary to a person', () => {
    const doc = describeFunction(
      fn('getUserById', {
        params: [
          param('id', { kind: 'string' }, { typeText: 'string' }),
          param('fresh', { kind: 'boolean' }, { typeText: 'boolean', optional: true, defaultValue: 'false' }),
        ],
        returnType: { kind: 'nullable', inner: { kind: 'named', name: 'User' }, none: 'undefined' },
        returnTypeText: 'User | undefined',
        returnsValue: true,
      }),
    );
    expect(doc.summary).toBe(PLACEHOLDER);
    expect(doc.params).toEqual([
      { name: 'id', text: '', typeText: 'string', rest: false, keywords: false },
      { name: 'fresh', text: 'Defaults to `false`.', typeText: 'boolean', rest: false, keywords: false },
    ]);
    expect(doc.returnsType).toBe('User | undefined');
    expect(doc.returns).toBe('');
  });

  it('does not restate the name: "Get gets.", "Returns the levenshtein." are not written', () => {
    const get = describeFunction(
      fn('get', {
        kind: 'method',
        owner: 'Get',
        params: [param('key', { kind: 'unknown' })],
        returnType: { kind: 'unknown' },
        returnsValue: true,
      }),
    );
    expect(get.summary).toBe(PLACEHOLDER);
    // `any` says nothing: no @returns at all rather than an invented one.
    expect(get.returnsType).toBeUndefined();
    expect(get.returns).toBeUndefined();
    const levenshtein = describeFunction(
      fn('levenshtein', {
        params: [param('a', { kind: 'string' }, { typeText: 'string' }), param('b', { kind: 'string' })],
        returnType: { kind: 'number' },
        returnTypeText: 'number',
        returnsValue: true,
      }),
    );
    expect(levenshtein.summary).toBe(PLACEHOLDER);
    expect(levenshtein.returnsType).toBe('number');
    expect(levenshtein.returns).toBe('');
    for (const name of ['isValidEmail', 'toJSON', 'onClick', 'createProject', 'main', 'fetchUser']) {
      expect(describeFunction(fn(name, { params: [param('x')] })).summary, name).toBe(PLACEHOLDER);
    }
  });

  it('derives the summary from a body that is one short return, and says nothing of a void result', () => {
    const add = describeFunction(
      fn('add', {
        params: [param('a', { kind: 'number' }, { typeText: 'number' }), param('b', { kind: 'number' })],
        returnType: { kind: 'number' },
        returnTypeText: 'number',
        returnsValue: true,
        returnsExpression: 'a + b',
      }),
    );
    expect(add.summary).toBe('Returns `a + b`.');
    const long = describeFunction(fn('f', { returnsExpression: 'x'.repeat(61), returnsValue: true }));
    expect(long.summary).toBe(PLACEHOLDER);
    const done = describeFunction(
      fn('save', {
        isAsync: true,
        returnType: { kind: 'promise', inner: { kind: 'void' } },
        returnTypeText: 'Promise<void>',
        returnsValue: false,
      }),
    );
    expect(done.returnsType).toBeUndefined();
  });

  it('states what it awaits, what it changes and what it throws, as read off the code', () => {
    const doc = describeFunction(
      fn('handle', {
        params: [param('req', { kind: 'unknown' }), param('opts', { kind: 'unknown' }, { optional: true })],
        awaits: ['db.query(sql)', 'next()'],
        writes: [
          { param: 'req', detail: 'req.user' },
          { param: 'req', detail: 'req.user' },
          { param: 'req', detail: 'req.params' },
        ],
        effects: [{ kind: 'state', detail: 'this.count' }],
        failures: [
          { type: 'TypeError', via: 'throw', condition: '`req` is missing' },
          { type: 'Error', via: 'throw' },
        ],
      }),
    );
    expect(doc.summary).toBe(PLACEHOLDER);
    expect(doc.details).toEqual(['Awaits `db.query(sql)` and `next()`.', 'It updates `this.count`.']);
    expect(doc.params.map((p) => p.text)).toEqual(['Modified in place (`req.user` and `req.params`).', 'Optional.']);
    // A throw whose condition the code does not show gets no invented one.
    expect(doc.failures).toEqual([
      { type: 'TypeError', text: '`req` is missing', via: 'throw' },
      { type: 'Error', text: '', via: 'throw' },
    ]);
  });

  it('describes types by what they declare, not by their name', () => {
    const service = describeType({
      language: 'typescript',
      name: 'ProjectService',
      kind: 'class',
      properties: [],
      methods: ['create', 'get', 'delete'],
      extends: ['BaseService'],
      implements: [],
    });
    expect(service).toEqual({
      summary: PLACEHOLDER,
      details: ['Extends `BaseService`.', 'Methods: `create`, `get` and `delete`.'],
    });
    const role = describeType({
      language: 'typescript',
      name: 'Role',
      kind: 'type',
      properties: [],
      methods: [],
      extends: [],
      implements: [],
      aliasOf: { kind: 'literals', values: ["'admin'", "'member'"] },
    });
    expect(role.details).toEqual(["One of `'admin'` or `'member'`."]);
  });
});

describe('LocalProvider', () => {
  it('exposes the library through the AiProvider interface', async () => {
    const provider = new LocalProvider();
    const files = new Map([['a.ts', 'export function add(a: number, b: number): number {\n  return a + b;\n}\n']]);
    expect(provider.name).toBe('local');
    const edit = await provider.documentFunction(files, 'a.ts', { symbol: 'add' });
    expect(edit.after).toBe(
      '/**\n * Returns `a + b`.\n *\n * @param a `number`.\n * @param b `number`.\n * @returns `number`.\n */\n' +
        files.get('a.ts'),
    );
    await expect(provider.renameSymbol(files, 'a.ts', 1, 'add', 'sum')).resolves.toHaveLength(1);
    await expect(provider.renameSymbol(files, 'a.ts', 1, 'add', 'class')).rejects.toMatchObject({
      code: 'invalid_name',
    });
  });
});
