import { BUNDLE_CONTENT_TYPES as core } from '@hivesync/core';
import { describe, expect, it } from 'vitest';
import { BUNDLE_CONTENT_TYPES } from './core-constants.js';

describe("the bundler's constants in the extension", () => {
  it("are core's", () => {
    expect(BUNDLE_CONTENT_TYPES).toEqual(core);
  });
});
