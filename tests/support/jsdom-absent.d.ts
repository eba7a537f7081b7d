// vitest's optional-types.d.ts imports jsdom's types when they are installed. They are now (jest-expo, for the mobile
// app's component tests, hoists jsdom and @types/jsdom), and they bring lib.dom into this Node program, whose DOM
// BufferSource then refuses the SDK's Uint8Array bodies. The tests never use jsdom: tsconfig.json maps it here.
export {};
