// File access for the loaders, through a DataFiles source: the host's file system in Node (looked up at run time with
// process.getBuiltinModule, so the engine still loads in a browser), or whatever a platform installs with
// useDataFiles (the browser agent installs one without files: its jobs' data comes as shards, see shard.ts).
import { DatasetFormatError } from './types.js';

/** Where the loaders read dataset files from. Paths are opaque to the loaders: they only join and read them. */
export interface DataFiles {
  /** The file's bytes, or undefined when it does not exist. Other I/O errors reject. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** Entry names of a directory (unsorted), or undefined when it does not exist or is not a directory. */
  list(path: string): Promise<string[] | undefined>;
  join(dir: string, name: string): string;
  /** Decompresses gzip bytes; rejects on corrupt data. */
  gunzip(bytes: Uint8Array): Promise<Uint8Array>;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

let installed: DataFiles | undefined;
let nodeFiles: DataFiles | undefined;

/** Makes the loaders read through `files` (undefined restores the default, the host's file system in Node). */
export function useDataFiles(files: DataFiles | undefined): void {
  installed = files;
}

function dataFiles(): DataFiles {
  if (installed) return installed;
  nodeFiles ??= nodeDataFiles();
  return nodeFiles;
}

/** The file's bytes, or undefined when it does not exist. Other I/O errors propagate. */
export function readIfExists(path: string): Promise<Uint8Array | undefined> {
  return dataFiles().read(path);
}

/** Decompresses gzip data (detected by its magic bytes); other data is returned unchanged. */
export async function gunzipIfNeeded(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC_0 || bytes[1] !== GZIP_MAGIC_1) return bytes;
  try {
    return await dataFiles().gunzip(bytes);
  } catch (error) {
    throw new DatasetFormatError(file, `corrupt gzip data (${(error as Error).message})`);
  }
}

/**
 * Reads the first candidate that exists (e.g. `x.gz`, then `x`), decompressing gzip. Returns undefined when none
 * exists; `path` is the candidate that was read.
 */
export async function readFirstExisting(
  candidates: readonly string[],
): Promise<{ path: string; bytes: Uint8Array } | undefined> {
  for (const path of candidates) {
    const raw = await readIfExists(path);
    if (raw !== undefined) return { path, bytes: await gunzipIfNeeded(raw, path) };
  }
  return undefined;
}

/** Entry names of a directory (unsorted), or undefined when it does not exist or is not a directory. */
export function listDirectory(path: string): Promise<string[] | undefined> {
  return dataFiles().list(path);
}

/** A UTF-8 text file's content, or undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  const bytes = await readIfExists(path);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

export async function joinPath(dir: string, name: string): Promise<string> {
  return dataFiles().join(dir, name);
}

/** The host's file system, through Node built-ins looked up at run time. */
export function nodeDataFiles(): DataFiles {
  const builtin = globalThis.process?.getBuiltinModule;
  if (builtin === undefined) {
    throw new Error('no dataset files source: outside Node, install one with useDataFiles()');
  }
  const fs = builtin('node:fs/promises');
  const path = builtin('node:path');
  const zlib = builtin('node:zlib');
  return {
    async read(file) {
      try {
        const buffer = await fs.readFile(file);
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        if (isMissingFileError(error)) return undefined;
        throw error;
      }
    },
    async list(dir) {
      try {
        return await fs.readdir(dir);
      } catch (error) {
        if (isMissingFileError(error)) return undefined;
        throw error;
      }
    },
    join: (dir, name) => path.join(dir, name),
    async gunzip(bytes) {
      const output = await new Promise<Buffer>((resolve, reject) =>
        zlib.gunzip(bytes, (error, result) => (error ? reject(error) : resolve(result))),
      );
      return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
    },
  };
}

function isMissingFileError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
