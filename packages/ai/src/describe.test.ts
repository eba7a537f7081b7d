import { describe, expect, it } from 'vitest';
import { describeFunction, describeType } from './describe.js';
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
  it('builds the sentence from the verb, the object and the parameter', () => {
    const doc = describeFunction(
      fn('getUserById', {
        params: [param('id')],
        returnType: { kind: 'nullable', inner: { kind: 'named', name: 'User' }, none: 'undefined' },
        returnsValue: true,
      }),
    );
    expect(doc.summary).toBe('Gets the user by id.');
    expect(doc.params).toEqual([expect.objectContaining({ name: 'id', text: "The user's id." })]);
    expect(doc.returns).toBe('The user, or `undefined` if there is none.');
  });

  it('describes parameters from their names and types', () => {
    const doc = describeFunction(
      fn('listFiles', {
        params: [
          param('rootDir'),
          param('includeHidden', { kind: 'boolean' }, { defaultValue: 'false', optional: true }),
          param('timeoutMs', { kind: 'number' }),
          param('options', { kind: 'named', name: 'ListOptions', properties: ['depth', 'signal'] }),
        ],
        returnType: { kind: 'array', element: { kind: 'string' } },
        returnsValue: true,
      }),
    );
    expect(doc.params.map((p) => p.text)).toEqual([
      'The root directory.',
      'Whether to include hidden. Defaults to `false`.',
      'The timeout, in milliseconds.',
      'Options that control how the files are listed (`depth` and `signal`).',
    ]);
    expect(doc.returns).toBe('The files.');
  });

  it('reads predicates, conversions, events and creations', () => {
    const predicate = describeFunction(
      fn('isValidEmail', { params: [param('email')], returnType: { kind: 'boolean' }, returnsValue: true }),
    );
    expect(predicate.summary).toBe('Checks whether the email is valid.');
    expect(predicate.returns).toBe('`true` if the email is valid, otherwise `false`.');
    const conversion = describeFunction(
      fn('toJSON', { kind: 'method', owner: 'Invoice', returnType: { kind: 'string' }, returnsValue: true }),
    );
    expect(conversion.summary).toBe('Converts the invoice to JSON.');
    expect(conversion.returns).toBe('The JSON representation of the invoice.');
    expect(
      describeFunction(fn('onClick', { params: [param('event', { kind: 'named', name: 'MouseEvent' })] })).summary,
    ).toBe('Handles the click event.');
    const creation = describeFunction(
      fn('createProject', {
        params: [param('name')],
        isAsync: true,
        returnType: { kind: 'promise', inner: { kind: 'named', name: 'Project' } },
        returnsValue: true,
        effects: [{ kind: 'db', detail: 'db.insert' }],
      }),
    );
    expect(creation.summary).toBe('Asynchronously creates a new project with the given name.');
    expect(creation.details).toEqual(['It queries the database (`db.insert`).']);
    expect(creation.returns).toBe('A promise that resolves to the newly created project.');
  });

  it('describes types by their role', () => {
    const service = describeType({
      language: 'typescript',
      name: 'ProjectService',
      kind: 'class',
      properties: [],
      methods: ['create', 'get', 'delete'],
      extends: [],
      implements: [],
    });
    expect(service.summary).toBe('Manages projects.');
    expect(service.details).toEqual(['Provides `create`, `get` and `delete`.']);
    const options = describeType({
      language: 'typescript',
      name: 'SyncOptions',
      kind: 'interface',
      properties: ['force', 'depth'],
      methods: [],
      extends: [],
      implements: [],
    });
    expect(options.summary).toBe('Options for sync: `force` and `depth`.');
  });
});

describe('LocalProvider', () => {
  it('exposes the library through the AiProvider interface', async () => {
    const provider = new LocalProvider();
    const files = new Map([['a.ts', 'export function add(a: number, b: number): number {\n  return a + b;\n}\n']]);
    expect(provider.name).toBe('local');
    const edit = await provider.documentFunction(files, 'a.ts', { symbol: 'add' });
    expect(edit.after).toContain(
      ' * Adds `a` and `b`.\n *\n * @param a The first number.\n * @param b The second number.\n',
    );
    await expect(provider.renameSymbol(files, 'a.ts', 1, 'add', 'sum')).resolves.toHaveLength(1);
    await expect(provider.renameSymbol(files, 'a.ts', 1, 'add', 'class')).rejects.toMatchObject({
      code: 'invalid_name',
    });
  });
});
