// File access for the loaders. Node modules are imported lazily so that a browser bundle that only uses batching or
// synthetic data never pulls in node:fs.
import { DatasetFormatError } from './types.js';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** The file's bytes, or undefined when it does not exist. Other I/O errors propagate. */
export async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if (isMissingFileError(error)) return undefined;
    throw error;
  }
}

/** Decompresses gzip data (detected by its magic bytes); other data is returned unchanged. */
export async function gunzipIfNeeded(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC_0 || bytes[1] !== GZIP_MAGIC_1) return bytes;
  const { gunzip } = await import('node:zlib');
  try {
    const output = await new Promise<Buffer>((resolve, reject) =>
      gunzip(bytes, (error, result) => (error ? reject(error) : resolve(result))),
    );
    return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
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
export async function listDirectory(path: string): Promise<string[] | undefined> {
  const { readdir } = await import('node:fs/promises');
  try {
    return await readdir(path);
  } catch (error) {
    if (isMissingFileError(error)) return undefined;
    throw error;
  }
}

/** A UTF-8 text file's content, or undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  const bytes = await readIfExists(path);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

export async function joinPath(dir: string, name: string): Promise<string> {
  const { join } = await import('node:path');
  return join(dir, name);
}

function isMissingFileError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
