// Dataset files for browser devices: a directory's files with their SHA-256 (the listing), and a file by that hash
// (the blob). Only directories under the configured dataset roots are listed, only regular files directly in them,
// and only files some listing has named are served by hash. Hashes are computed once per (path, size, mtime).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { DatasetFileEntry, DatasetListing } from '../../../protocol/src/index.js';

export type { DatasetListing };
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';


export class DatasetFilesError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'forbidden',
  ) {
    super(message);
    this.name = 'DatasetFilesError';
  }
}

interface HashedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

@Injectable()
export class DatasetFilesService {
  /** By real path. */
  private readonly hashed = new Map<string, HashedFile>();
  /** SHA-256 → real path of a listed file. */
  private readonly byHash = new Map<string, string>();

  constructor(@Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig) {}

  async listing(directory: string): Promise<DatasetListing> {
    const real = await this.allowedDirectory(directory);
    const files: DatasetFileEntry[] = [];
    for (const entry of await readdir(real, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = await this.hash(join(real, entry.name));
      files.push({ name: entry.name, sha256: file.sha256, bytes: file.size });
    }
    files.sort((a, b) => a.name.localeCompare(b.name));
    return { directory, files };
  }

  /** The path of a listed file with this SHA-256, checked to still have it; undefined when there is none. */
  async blob(sha256: string): Promise<{ path: string; bytes: number } | undefined> {
    const path = this.byHash.get(sha256);
    if (path === undefined) return undefined;
    const file = await this.hash(path).catch(() => undefined);
    if (file?.sha256 !== sha256) {
      this.byHash.delete(sha256);
      return undefined;
    }
    return { path, bytes: file.size };
  }

  private async allowedDirectory(directory: string): Promise<string> {
    if (!isAbsolute(directory)) throw new DatasetFilesError(`dataset directory must be an absolute path: ${directory}`, 'forbidden');
    let real: string;
    try {
      real = await realpath(directory);
    } catch {
      throw new DatasetFilesError(`no dataset directory ${directory}`, 'not-found');
    }
    for (const root of this.config.datasetRoots) {
      const realRoot = await realpath(root).catch(() => undefined);
      if (realRoot === undefined) continue;
      const inside = relative(realRoot, real);
      if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
        if (!(await stat(real)).isDirectory()) throw new DatasetFilesError(`${directory} is not a directory`, 'not-found');
        return real;
      }
    }
    throw new DatasetFilesError(`${directory} is outside the coordinator's dataset roots`, 'forbidden');
  }

  private async hash(path: string): Promise<HashedFile> {
    const info = await stat(path);
    const known = this.hashed.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known;
    const digest = createHash('sha256');
    for await (const chunk of createReadStream(path)) digest.update(chunk as Buffer);
    const file: HashedFile = { path, size: info.size, mtimeMs: info.mtimeMs, sha256: digest.digest('hex') };
    this.hashed.set(path, file);
    this.byHash.set(file.sha256, path);
    return file;
  }
}
