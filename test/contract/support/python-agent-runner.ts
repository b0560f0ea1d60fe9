// Finds a Python that can run agents/python/sparsefleet_agent.py (python3-socketio, python3-websocket,
// python3-protobuf) and protoc, and runs the agent as a child process with a bounded lifetime.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON_AGENT = fileURLToPath(new URL('../../../agents/python/sparsefleet_agent.py', import.meta.url));

/** The modules the agent imports, with the Debian package that provides each. */
const REQUIRED_MODULES: ReadonlyArray<readonly [module: string, debianPackage: string]> = [
  ['socketio', 'python3-socketio'],
  ['websocket', 'python3-websocket'],
  ['google.protobuf', 'python3-protobuf'],
];

export type PythonToolchain = { readonly python: string } | { readonly missing: string };

/**
 * The first Python (SPARSEFLEET_PYTHON, python3 on PATH, then Debian's /usr/bin/python3 — a pyenv python3 on
 * PATH does not see Debian's packages) that imports every required module, provided protoc runs too.
 */
export function findPythonToolchain(): PythonToolchain {
  const protoc = spawnSync('protoc', ['--version'], { encoding: 'utf8' });
  if (protoc.status !== 0) return { missing: 'protoc (Debian package protobuf-compiler)' };
  const candidates = [process.env.SPARSEFLEET_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (candidate): candidate is string => candidate !== undefined && candidate !== '',
  );
  let lastMissing = 'python3';
  for (const python of candidates) {
    const missing = missingModules(python);
    if (missing === undefined) continue;
    if (missing.length === 0) return { python };
    lastMissing = `${missing.join(', ')} (for ${python})`;
  }
  return { missing: lastMissing };
}

/** Debian packages whose modules `python` cannot import; undefined when `python` does not run at all. */
function missingModules(python: string): string[] | undefined {
  const modules = JSON.stringify(REQUIRED_MODULES.map(([module]) => module));
  const script = [
    'import importlib, json',
    'missing = []',
    `for name in ${modules}:`,
    '    try:',
    '        importlib.import_module(name)',
    '    except Exception:',
    '        missing.append(name)',
    'print(json.dumps(missing))',
  ].join('\n');
  const run = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const missing = JSON.parse(run.stdout) as string[];
  return REQUIRED_MODULES.filter(([module]) => missing.includes(module)).map(([, debianPackage]) => debianPackage);
}

export interface AgentRun {
  /** Exit code; null when the agent was killed at the deadline. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the agent with `args`; kills it after `timeoutMs` (its own timeouts should end it long before). */
export function runPythonAgent(python: string, args: readonly string[], timeoutMs: number): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [PYTHON_AGENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}
