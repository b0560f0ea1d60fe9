// Import floors between the project's layers (issue 13): protocol/ at the bottom, the engine above it, the agent and
// the simulator above the engine, the coordinator beside them, the CLI on top. `npm run lint:imports` and
// test/project/import-boundaries.test.ts check the source folders against these rules. Paths are relative to the
// repository root. Type-only imports count (they still couple the layers); a Node built-in behind a dynamic
// import() or process.getBuiltinModule() does not count as a static Node import (the module still loads in a browser).

/** The only modules of a layer that code above it may import. */
const PUBLIC_ENTRIES = [
  // The coordinator as a library (startCoordinator): loads NestJS.
  '^server/src/index\\.ts$',
  // Campaign specs, matrix, validation, report and comparison formats, campaign view shapes: no NestJS.
  '^server/src/campaigns/index\\.ts$',
  // Offline administration of a data directory (the first API key).
  '^server/src/bootstrap/index\\.ts$',
  // The REST contract: DTO schemas and types (zod only; reaches no protocol/, see rest-dtos-reach-no-protocol).
  '^server/src/api/dto/index\\.ts$',
  // The engine as a library (trainer, models, data): loads TensorFlow.js.
  '^client/src/engine/index\\.ts$',
  // The engine's spec and schema: TrainConfig, names, job-spec mapping, memory estimate; no TensorFlow.js.
  '^client/src/engine/spec\\.ts$',
  '^client/src/agent/index\\.ts$',
  // One constant; every CLI command prints it, and loading the whole agent for it would slow every command.
  '^client/src/agent/version\\.ts$',
  '^client/src/sim/index\\.ts$',
  // Device profiles for simulated fleets (issue 12): the format, loader, step model, modelled engine.
  '^client/src/sim/profiles/index\\.ts$',
  // Simulated-fleet scenarios (issue 12): scenario files, the run, invariants, verdict and reports.
  '^client/src/sim/scenario/index\\.ts$',
  // The contract door: message types, codec, handshake.
  '^protocol/src/index\\.ts$',
];

/** REST DTO modules: the operator API's own types and zod schemas. */
const REST_DTOS = '^server/src/api/dto/';
/** Where REST DTOs are made from internal shapes: the one part of the REST layer that may see wire types. */
const REST_MAPPING = '^server/src/api/mapping/';
/** REST controllers, in server/src/api/ and in any other coordinator module. */
const REST_CONTROLLERS = '^server/src/.+\\.controller\\.ts$';

/** The engine's spec entry: all the coordinator may import from the client. */
const ENGINE_SPEC = '^client/src/engine/spec\\.ts$';

/**
 * Build tools that live beside the engine code they build and run only under Node (npm run build:kernels); no engine
 * module imports them.
 */
const ENGINE_BUILD_TOOLS = ['^client/src/engine/kernels/build\\.mjs$'];

/**
 * Agent modules that are the Node side of the platform (OS facts, files, the credential on disk). They import Node
 * built-ins statically; the rest of the agent stays browser-loadable.
 */
const AGENT_NODE_PLATFORM = [
  // Hardware facts at enrollment: os.cpus(), total memory, /proc/device-tree/model.
  '^client/src/agent/facts\\.ts$',
  // Heartbeat telemetry: free memory and load average from node:os.
  '^client/src/agent/telemetry\\.ts$',
  // The device credential in a 0600 file under the user's home directory.
  '^client/src/agent/credential-store\\.ts$',
  // generated/build-info.json, found by walking up from this module's file.
  '^client/src/agent/build-info\\.ts$',
];

/**
 * A static import of a Node built-in. Left out: type-only imports (erased by the compiler; each import statement is
 * its own dependency, so a value import next to a type import is still caught) and run-time lookups.
 */
const STATIC_NODE_BUILTIN = {
  dependencyTypes: ['core'],
  dependencyTypesNot: ['type-only', 'type-import', 'process-get-builtin-module'],
  dynamic: false,
};

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'generated-only-through-protocol',
      comment:
        'generated/ (protobuf code) is imported by protocol/ only; everything else uses protocol/src/index.ts.',
      severity: 'error',
      from: { pathNot: ['^protocol/', '^generated/'] },
      to: { path: '^generated/' },
    },
    {
      name: 'protocol-through-its-door',
      comment:
        'Outside protocol/, the protocol is imported from protocol/src/index.ts only. Browser pages that need only ' +
        'the enrollment URL (the dashboard, the agent page) import protocol/src/enrollment-url.ts, pure string code, directly: through ' +
        'the door their bundle would carry some 330 KiB of generated protobuf code.',
      severity: 'error',
      from: { pathNot: '^protocol/' },
      to: { path: '^protocol/', pathNot: ['^protocol/src/index\\.ts$', '^protocol/src/enrollment-url\\.ts$'] },
    },
    {
      name: 'cli-uses-public-entries',
      comment: 'cli/ imports the server, the client and the protocol through their public entries only.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(server|client|protocol|generated)/', pathNot: PUBLIC_ENTRIES },
    },
    {
      name: 'server-uses-engine-spec-only',
      comment:
        'The coordinator imports from the client only the engine spec entry (client/src/engine/spec.ts): no agent, ' +
        'no simulator, no deep engine paths.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^client/', pathNot: ENGINE_SPEC },
    },
    {
      name: 'rest-layer-not-protocol',
      comment:
        'REST is its own contract (issue 13): controllers and the rest of server/src/api/ answer with DTOs and import ' +
        'nothing from protocol/ or generated/. Only the mapping modules (server/src/api/mapping/) see wire types, to ' +
        'copy them into DTOs; DTO modules are held to the stricter rest-dtos-reach-no-protocol.',
      severity: 'error',
      from: { path: ['^server/src/api/', REST_CONTROLLERS], pathNot: [REST_MAPPING, REST_DTOS] },
      to: { path: '^(protocol|generated)/' },
    },
    {
      name: 'rest-dtos-reach-no-protocol',
      comment:
        'A REST DTO module reaches no protocol/ code, directly or through any other module (type-only imports count): ' +
        'a DTO cannot be, extend or embed a wire type, so a rename in generated code cannot reach REST clients. The ' +
        'rules above send every way into protocol/ and generated/ through protocol/src/index.ts, so reaching that ' +
        'door is what is checked (one line per offending DTO module). The CLI imports DTO types through ' +
        'server/src/api/dto/index.ts.',
      severity: 'error',
      from: { path: REST_DTOS },
      to: { path: '^protocol/src/index\\.ts$', reachable: true },
    },
    {
      name: 'server-not-cli',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^cli/' },
    },
    {
      name: 'engine-stays-a-library',
      comment: 'The engine imports no server, no agent, no simulator and no CLI.',
      severity: 'error',
      from: { path: '^client/src/engine/' },
      to: { path: ['^server/', '^cli/', '^client/src/agent/', '^client/src/sim/'] },
    },
    {
      name: 'engine-no-static-node-imports',
      comment:
        'The engine loads in a browser: Node built-ins only behind a dynamic import() or process.getBuiltinModule().',
      severity: 'error',
      from: { path: '^client/src/engine/', pathNot: ENGINE_BUILD_TOOLS },
      to: STATIC_NODE_BUILTIN,
    },
    {
      name: 'agent-not-server-cli-or-sim',
      severity: 'error',
      from: { path: '^client/src/agent/' },
      to: { path: ['^server/', '^cli/', '^client/src/sim/'] },
    },
    {
      name: 'agent-no-static-node-imports',
      comment:
        'The agent loads in a browser: static Node imports only in its Node platform modules (AGENT_NODE_PLATFORM ' +
        'in .dependency-cruiser.cjs); elsewhere behind a dynamic import() or process.getBuiltinModule().',
      severity: 'error',
      from: { path: '^client/src/agent/', pathNot: AGENT_NODE_PLATFORM },
      to: STATIC_NODE_BUILTIN,
    },
    {
      name: 'browser-agent-no-node-imports',
      comment:
        'client/src/browser/ is the browser agent (the /agent/ page and its worker): no Node built-in, static or ' +
        'dynamic. test/browser/agent-bundle.test.ts also bundles it with everything it reaches.',
      severity: 'error',
      from: { path: '^client/src/browser/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only', 'type-import'] },
    },
    {
      name: 'browser-agent-not-server-cli-or-sim',
      severity: 'error',
      from: { path: '^client/src/browser/' },
      to: { path: ['^server/', '^cli/', '^client/src/sim/'] },
    },
    {
      name: 'sim-not-server-or-cli',
      severity: 'error',
      from: { path: '^client/src/sim/' },
      to: { path: ['^server/', '^cli/'] },
    },
    {
      name: 'protocol-is-the-bottom',
      comment: 'protocol/ imports nothing above it: no server, no client, no CLI.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(server|client|cli)/' },
    },
    {
      name: 'protocol-no-node-imports',
      comment: 'protocol/ runs in browsers and on the coordinator alike: no Node built-in, static or dynamic.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only', 'type-import'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    detectProcessBuiltinModuleCalls: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    skipAnalysisNotInRules: true,
  },
};
