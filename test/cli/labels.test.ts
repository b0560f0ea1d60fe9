import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/src/operator/errors.js';
import { applyLabelEdits, formatLabels, parseLabelEdits, parseLabelPairs } from '../../cli/src/operator/labels.js';

describe('parseLabelPairs', () => {
  it('should turn key=value pairs into labels, keeping = inside values and empty values', () => {
    expect(parseLabelPairs(['site=lab', 'expr=a=b', 'empty='])).toEqual({ site: 'lab', expr: 'a=b', empty: '' });
  });

  it('should name every malformed or repeated pair', () => {
    let caught: unknown;
    try {
      parseLabelPairs(['site', 'a=1', 'a=2', '=x']);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).issues).toEqual([
      "--label: 'site' is not key=value (keys: letters, digits, . _ - /)",
      "--label: label 'a' given twice",
      "--label: '=x' is not key=value (keys: letters, digits, . _ - /)",
    ]);
  });
});

describe('parseLabelEdits', () => {
  it('should read key- as a removal and apply edits over the current labels', () => {
    const edits = parseLabelEdits(['tier=edge', 'zone-'], 'devices label');

    expect(edits).toEqual({ set: { tier: 'edge' }, remove: ['zone'] });
    expect(applyLabelEdits({ site: 'lab', zone: 'b', tier: 'cloud' }, edits)).toEqual({ site: 'lab', tier: 'edge' });
  });
});

describe('formatLabels', () => {
  it('should sort by key and show a dash for none', () => {
    expect(formatLabels({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(formatLabels(null)).toBe('-');
  });
});
