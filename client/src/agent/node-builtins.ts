// Node built-ins for the agent's Node platform, looked up at run time (process.getBuiltinModule) instead of imported,
// so that every agent module still loads in a browser bundle, where calling this throws.
export function nodeBuiltins(purpose: string): NodeJS.Process['getBuiltinModule'] {
  const lookup = globalThis.process?.getBuiltinModule;
  if (lookup === undefined) throw new Error(`${purpose} needs Node (a browser agent uses its own platform)`);
  return lookup.bind(globalThis.process);
}
