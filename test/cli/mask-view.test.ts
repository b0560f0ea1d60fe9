// The CLI's view of a job's masks (`jobs show`) and job files that ask for mask reports or an initial mask.
import { describe, expect, it } from 'vitest';
import { parseJobFile } from '../../cli/src/operator/job-file.js';
import { MASK_ROWS_SHOWN, formatMaskStats } from '../../cli/src/operator/job-view.js';
import { MaskStatsDto, type MaskStatsEntryDto } from '../../server/src/api/dto/index.js';

/** An update as GET /api/jobs/:id/mask-stats answers it (every DTO field; the CLI reads a subset). */
function update(updateIndex: number, churn: number | null, itopRate: number, attempt = 1): MaskStatsEntryDto {
  const first = churn === null;
  return {
    attempt,
    updateIndex,
    step: updateIndex * 100,
    epoch: 0,
    active: 10,
    total: 100,
    density: 0.1,
    pruned: first ? null : 2,
    grown: first ? null : 2,
    churn,
    everActive: Math.round(itopRate * 100),
    itopRate,
    storedBytes: 16,
  };
}

/** The answer as the coordinator's DTO schema reads it, handed to the CLI's formatter as the CLI receives it. */
function stats(body: MaskStatsDto): MaskStatsDto {
  return MaskStatsDto.parse(body);
}

describe('formatMaskStats', () => {
  it('prints the latest ITOP rate and one row per update with churn and ITOP', () => {
    const text = formatMaskStats(
      stats({
        jobId: 'j',
        updates: [update(0, null, 0.1), update(1, 0.3, 0.13), update(2, 0.25, 0.155, 2)],
        diverged: [{ attempt: 1, updateIndex: 3, step: 300, reason: 'x' }],
        storedBytes: 2048,
      }),
    );
    expect(text).toMatch(/updates\s+3 \(\+1 not rebuilt, full masks asked for\)/);
    expect(text).toMatch(/ITOP rate\s+0\.1550/);
    const rows = text.split('\n').filter((line) => /^\s*\d/.test(line));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\s*0\s+0\s+0\.1000\s+-\s+0\.1000$/);
    expect(rows[1]).toMatch(/^\s*1\s+100\s+0\.1000\s+0\.3000\s+0\.1300$/);
    expect(rows[2]).toMatch(/2 \(try 2\)\s+200/);
  });

  it('shows the latest updates of a long history', () => {
    const updates = Array.from({ length: MASK_ROWS_SHOWN + 5 }, (_, i) => update(i, i === 0 ? null : 0.2, 0.1 + i / 100));
    const text = formatMaskStats(stats({ jobId: 'j', updates, diverged: [], storedBytes: 1 }));
    expect(text).toContain('(5 earlier updates not shown)');
    expect(text).not.toMatch(/^\s*4\s+400\s/m);
    expect(text).toMatch(/^\s*16\s+1600\s/m);
  });
});

describe('job files with masks', () => {
  it('passes report and initialMask through and refuses unknown cadences', () => {
    const text = ['config:', '  model: mlp', 'report:', '  masks: every', '  fullMaskEvery: 5', 'initialMask:', '  job: abc', '  step: 40'].join('\n');
    expect(parseJobFile(text, 'job.yaml').request).toMatchObject({ report: { masks: 'every', fullMaskEvery: 5 }, initialMask: { job: 'abc', step: 40 } });
    expect(() => parseJobFile('config:\n  model: mlp\nreport:\n  masks: sometimes\n', 'job.yaml')).toThrow(/report\.masks: must be one of every, final, off/);
  });
});
