// The data-efficiency commands' local parts: the forgetting histogram, removal rules from flags, job-file and flag
// handling for fleet data efficiency, and `datastats register` argument checks (nothing is sent for bad input).
import { describe, expect, it } from 'vitest';
import { runDatastatsRegister } from '../../cli/src/commands/datastats.js';
import { removalRuleFromFlags } from '../../cli/src/commands/removal.js';
import { createOperatorContext } from '../../cli/src/operator/command-kit.js';
import { describeRule } from '../../cli/src/operator/datastats-view.js';
import { UsageError } from '../../cli/src/operator/errors.js';
import { renderForgettingHistogram } from '../../cli/src/operator/forgetting-histogram.js';
import { parseJobFile, withDataEfficiencyFlags } from '../../cli/src/operator/job-file.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';

function issuesOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.issues;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('renderForgettingHistogram', () => {
  const input = {
    histogram: [
      { forgettingCount: 0, examples: 600 },
      { forgettingCount: 1, examples: 300 },
      { forgettingCount: 3, examples: 30 },
    ],
    neverLearned: 50,
    uncovered: 20,
    size: 1000,
  };

  it('draws one row per count up to the largest, then never learned and uncovered, with counts and shares', () => {
    const lines = renderForgettingHistogram(input, { width: 60 }).split('\n');

    expect(lines).toHaveLength(1 + 4 + 2);
    const rows = lines.slice(1).map((line) => line.split('│'));
    expect(rows.map(([label]) => label!.trim())).toEqual(['0', '1', '2', '3', 'never learned', 'uncovered']);
    expect(rows.map(([, rest]) => rest!.trim().split(/\s+/).slice(-2))).toEqual([
      ['600', '60.0%'],
      ['300', '30.0%'],
      ['0', '0.0%'],
      ['30', '3.0%'],
      ['50', '5.0%'],
      ['20', '2.0%'],
    ]);
  });

  it('scales the bars to the terminal width: the largest row fills it, the others in proportion', () => {
    for (const width of [50, 100, 160]) {
      const lines = renderForgettingHistogram(input, { width }).split('\n').slice(1);
      const bars = lines.map((line) => (line.match(/█/g) ?? []).length);

      expect(lines.every((line) => line.length === width)).toBe(true);
      const full = bars[0]!;
      expect(bars[1]).toBe(Math.round(full / 2));
      expect(bars[2]).toBe(0);
      // A small non-empty row still shows.
      expect(bars[5]).toBeGreaterThanOrEqual(1);
    }
    const narrow = renderForgettingHistogram(input, { width: 50 }).split('\n')[1]!.match(/█/g)!.length;
    const wide = renderForgettingHistogram(input, { width: 160 }).split('\n')[1]!.match(/█/g)!.length;
    expect(wide - narrow).toBe(110);
  });

  it('groups counts into ranges when there would be more rows than asked for', () => {
    const many = { ...input, histogram: Array.from({ length: 40 }, (_, count) => ({ forgettingCount: count, examples: 10 })) };

    const labels = renderForgettingHistogram(many, { width: 80, maxRows: 10 })
      .split('\n')
      .slice(1, -2)
      .map((line) => line.split('│')[0]!.trim());

    expect(labels).toEqual(['0-3', '4-7', '8-11', '12-15', '16-19', '20-23', '24-27', '28-31', '32-35', '36-39']);
    expect(renderForgettingHistogram(many, { width: 80, maxRows: 10 })).toContain('│' + '█'.repeat(45) + ' '.repeat(11) + ' 40  4.0%');
  });

  it('shows only never learned and uncovered when nothing was learned', () => {
    const lines = renderForgettingHistogram({ histogram: [], neverLearned: 0, uncovered: 1000, size: 1000 }).split('\n');

    expect(lines.slice(1).map((line) => line.split('│')[0]!.trim())).toEqual(['never learned', 'uncovered']);
    expect(lines[2]).toContain('100.0%');
  });
});

describe('removalRuleFromFlags', () => {
  it('makes a fraction or a threshold rule, min epochs 1 unless given', () => {
    expect(removalRuleFromFlags({ fraction: 0.3 })).toEqual({ kind: 'fraction', fraction: 0.3, minEpochs: 1 });
    expect(removalRuleFromFlags({ maxForgetting: 0, minEpochs: 3 })).toEqual({ kind: 'threshold', maxForgetting: 0, minEpochs: 3 });
    expect(describeRule({ kind: 'fraction', fraction: 0.3, minEpochs: 2 })).toBe('drop the 30.0% least forgotten, after >= 2 epochs');
  });

  it('refuses no rule, both rules, and a fraction outside (0, 1)', () => {
    expect(issuesOf(() => removalRuleFromFlags({}))[0]).toMatch(/give --fraction R .* or --max-forgetting K/);
    expect(issuesOf(() => removalRuleFromFlags({ fraction: 0.2, maxForgetting: 1 }))[0]).toMatch(/not both/);
    expect(issuesOf(() => removalRuleFromFlags({ fraction: 1 }))[0]).toMatch(/strictly between 0 and 1/);
  });
});

describe('fleet data efficiency in job submission', () => {
  const file = ['config:', '  model: mlp', '  data: { name: synthetic }', '  epochs: 2'].join('\n');

  it('reads report.forgetting and dataEfficiency from the job file', () => {
    const text = `${file}\nreport: { forgetting: epoch }\ndataEfficiency: { source: fleet, removalSet: latest, refresh: epoch }`;

    const loaded = parseJobFile(text, 'job.yaml');

    expect(loaded.request).toMatchObject({ report: { forgetting: 'epoch' }, dataEfficiency: { source: 'fleet', removalSet: 'latest', refresh: 'epoch' } });
  });

  it('names bad fields of the job file', () => {
    const text = `${file}\nreport: { forgetting: always }\ndataEfficiency: { source: local, removalSet: x }`;

    const issues = issuesOf(() => parseJobFile(text, 'job.yaml'));

    expect(issues).toContain('job.yaml: report.forgetting: must be one of epoch, final, off');
    expect(issues.some((issue) => issue.startsWith("job.yaml: dataEfficiency.source: must be 'fleet'"))).toBe(true);
  });

  it('applies the flags over the file', () => {
    const loaded = parseJobFile(`${file}\nreport: { masks: final }`, 'job.yaml');

    const request = withDataEfficiencyFlags(loaded, { forgetting: 'final', removalSet: 'set-1', refresh: 'never' });

    expect(request.report).toEqual({ masks: 'final', forgetting: 'final' });
    expect(request.dataEfficiency).toEqual({ source: 'fleet', removalSet: 'set-1', refresh: 'never' });
  });

  it('refuses --refresh without a removal set, and a fleet set beside local MEST removal', () => {
    const plain = parseJobFile(file, 'job.yaml');
    const local = parseJobFile(`${file}\n  dataEfficiency: { removeCount: 10, removeEpoch: 1 }`, 'job.yaml');

    expect(issuesOf(() => withDataEfficiencyFlags(plain, { refresh: 'epoch' }))[0]).toMatch(/--refresh needs a removal set/);
    expect(issuesOf(() => withDataEfficiencyFlags(local, { removalSet: 'latest' }))[0]).toMatch(/exclude each other/);
  });
});

describe('datastats register, before anything is sent', () => {
  // Nothing listens here: a request would fail with "cannot reach", not with the usage error expected.
  const context = createOperatorContext('http://127.0.0.1:9', undefined, new BufferedOutput());

  it('refuses a partial or malformed --hash/--size, and mixing it with local-data flags', async () => {
    const refuse = (options: Parameters<typeof runDatastatsRegister>[2]) =>
      runDatastatsRegister(context, 'fashion-mnist', options).then(
        () => [],
        (error: unknown) => (error instanceof UsageError ? error.issues : [String(error)]),
      );

    expect(await refuse({ hash: 'a'.repeat(64) })).toEqual(['--hash and --size go together']);
    expect(await refuse({ hash: 'XYZ', size: 10 })).toEqual(['--hash must be a SHA-256 in lower-case hex (64 characters)']);
    expect((await refuse({ hash: 'a'.repeat(64), size: 10, seed: 1 }))[0]).toMatch(/leave out --path, --seed and --train-limit/);
  });

  it('says what went wrong when the identity cannot be computed', async () => {
    const failing = async () => {
      throw new Error("unknown data set 'mnist'");
    };

    const error = await runDatastatsRegister(context, 'mnist', {}, failing).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).issues[0]).toBe("cannot compute the identity of mnist: unknown data set 'mnist' (or give --hash and --size)");
  });
});
