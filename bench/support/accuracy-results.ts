// The accuracy benchmark's results file: one JSON line per finished row, appended as each row finishes, so a run
// that is killed keeps every row it finished and the next run skips them (matched by row key, see accuracy-plan.ts).
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RowRecord } from './accuracy-ipc.js';

export class ResultsFile {
  private constructor(
    readonly path: string,
    private readonly records: Map<string, RowRecord>,
  ) {}

  /** Opens (or starts) the file; a torn last line, left by a kill mid-write, is ignored. */
  static async open(path: string): Promise<ResultsFile> {
    await mkdir(dirname(path), { recursive: true });
    const records = new Map<string, RowRecord>();
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const record = JSON.parse(line) as RowRecord;
        records.set(record.key, record);
      } catch {
        // Only the last line can be torn; the rows on it run again.
      }
    }
    return new ResultsFile(path, records);
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  get(key: string): RowRecord | undefined {
    return this.records.get(key);
  }

  async add(record: RowRecord): Promise<void> {
    this.records.set(record.key, record);
    // Starts on a fresh line in case the previous run was killed mid-line.
    await appendFile(this.path, `\n${JSON.stringify(record)}\n`);
  }
}
