import { describe, expect, it } from 'vitest';
import { declaredName, gitApplyCommand, isIdentifier, patchFileName, renameProblems } from './ai.js';

describe('renameProblems', () => {
  it('accepts two different identifiers', () => {
    expect(renameProblems('sendfile', 'sendFileAt')).toEqual({});
    expect(renameProblems(' $el ', '_private1')).toEqual({});
  });

  it('names what is wrong with each field, in words', () => {
    expect(renameProblems('', '')).toEqual({ symbol: 'Enter the name to rename.', newName: 'Enter the new name.' });
    expect(renameProblems('a.b', 'x').symbol).toMatch(/not one identifier/);
    expect(renameProblems('foo', '1foo').newName).toMatch(/not a valid identifier/);
    expect(renameProblems('foo', 'foo-bar').newName).toMatch(/not a valid identifier/);
    expect(renameProblems('foo', 'class').newName).toBe('“class” is a reserved word.');
    expect(renameProblems('foo', 'foo').newName).toBe('The new name is the current name.');
  });
});

describe('declaredName', () => {
  it.each([
    ['function sendfile(res, file, options, callback) {', 'sendfile'],
    ['exports.compileETag = function(val) {', 'compileETag'],
    ['module.exports.etag = createETagGenerator({ weak: false })', 'etag'],
    ['app.init = function init() {', 'init'],
    ['export const add = (a: number) => a;', 'add'],
    ['export async function fetchUser(id: string) {', 'fetchUser'],
    ['class Router {', 'Router'],
    ['def parse_config(path):', 'parse_config'],
    ['func NewStore(db *sql.DB) *Store {', 'NewStore'],
    ['  async load(id: string): Promise<void> {', 'load'],
  ])('reads %j as %s', (line, name) => {
    expect(declaredName(line)).toBe(name);
  });

  it('is null for a line that declares nothing', () => {
    expect(declaredName('  return x + 1;')).toBeNull();
    expect(declaredName('  if (a) {')).toBeNull();
    expect(declaredName('')).toBeNull();
  });
});

describe('the patch and its command', () => {
  it('names the file by the suggestion and applies it from the checkout', () => {
    const id = '6f0c1e9a-1111-4222-8333-444455556666';
    expect(patchFileName(id)).toBe('hivesync-6f0c1e9a.patch');
    expect(gitApplyCommand(id)).toBe('git apply hivesync-6f0c1e9a.patch');
    expect(gitApplyCommand(id, { threeWay: true })).toBe('git apply --3way hivesync-6f0c1e9a.patch');
  });

  it('knows an identifier', () => {
    expect(isIdentifier('a1')).toBe(true);
    expect(isIdentifier('1a')).toBe(false);
  });
});
