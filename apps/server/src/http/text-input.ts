import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '@hivesync/core';

// A NUL, or a UTF-16 surrogate without its pair (JSON's "\ud800"): neither can be stored as PostgreSQL text.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const INVALID_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses, with 400 validation_error naming the field, any request whose JSON body, query string or path
 * parameters hold text PostgreSQL cannot store (a NUL byte, an unpaired surrogate), in values or in keys. Checked
 * once here for every route, before the route's own validation, instead of field by field.
 */
export function registerTextInputCheck(app: FastifyInstance): void {
  // Synchronous (a callback, not a promise): it runs on every request, the unchanged poll's included.
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const found =
      findInvalidText(request.params, 'params') ??
      findInvalidText(request.query, 'querystring') ??
      findInvalidText(request.body, 'body');
    if (!found) return done();
    const message =
      found.what === 'key'
        ? 'must not contain a NUL byte or invalid text in a key'
        : 'must not contain a NUL byte or invalid text';
    const shown = found.path.replace(/^body\./, '');
    done(errors.validation(`${shown}: ${message}`, { issues: [{ path: found.path, message }] }));
  });
}

/** The first string (value or key) under `value` that is not valid text, with its path; walks without recursion. */
export function findInvalidText(value: unknown, root: string): { path: string; what: 'value' | 'key' } | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: root }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (INVALID_TEXT.test(v)) return { path, what: 'value' };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}.${i}` });
    } else if (v !== null && typeof v === 'object' && isPlainObject(v)) {
      const keys = Object.keys(v);
      for (const key of keys) {
        if (INVALID_TEXT.test(key)) return { path, what: 'key' };
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: (v as Record<string, unknown>)[key], path: `${path}.${key}` });
      }
    }
  }
  return undefined;
}

// Parsed JSON and query strings only (the query parser's objects have a prototype that has none): a Buffer or a
// stream (an upload) is not text.
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}
