/** The names of the package's modules: wasm/<name>.wat. */
export function wasmModules(): string[];
/** What src/<name>.wasm.ts must hold for wasm/<name>.wat. */
export function wasmSource(name: string): Promise<string>;
