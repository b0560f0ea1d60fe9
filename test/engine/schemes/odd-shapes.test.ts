// Every scheme × odd layer shapes (channel counts not divisible by 4 or by the block size, 1×1 and depthwise convs,
// linear layers): the scheme either structures the layer (exact counts at every density, conforming masks, a mask
// its compressed kernel format stores without padding) or refuses it up front with a SchemeNotApplicableError that
// names the scheme, the layer's shape and why. Methods then run the layer as irregular; a whole run over these shapes
// never crashes and keeps every layer conforming to the scheme that structures it.
import { describe, expect, it } from 'vitest';
import { buildBlock4 } from '../../../client/src/engine/kernels/formats/block4.js';
import { buildChannelCompaction } from '../../../client/src/engine/kernels/formats/channel.js';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import { buildPatternConv } from '../../../client/src/engine/kernels/formats/pattern.js';
import { buildShuffledBlocks } from '../../../client/src/engine/kernels/formats/shuffled-block.js';
import { activeCount } from '../../../client/src/engine/sparse/allocation/count.js';
import { schemeForLayer } from '../../../client/src/engine/sparse/methods/prune-and-grow.js';
import { createMethod } from '../../../client/src/engine/sparse/methods/registry.js';
import type { MethodName } from '../../../client/src/engine/sparse/methods/types.js';
import { defaultScheduleFor } from '../../../client/src/engine/sparse/schedules/defaults.js';
import { SchemeNotApplicableError, assertSchemeApplies } from '../../../client/src/engine/sparse/schemes/common.js';
import { patternKernelsKept } from '../../../client/src/engine/sparse/schemes/pattern.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import type { SchemeName, SparsityScheme } from '../../../client/src/engine/sparse/schemes/types.js';
import { convShape, countActive, layerSize, linearShape, rowLength, type LayerShape, type Mask } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { makeContext, makeLayers, simulate, type LayerSpec } from '../methods/harness.js';
import { checkSchemeInvariants, isSubset, randomScores } from './invariants.js';

const SHAPES: Record<string, LayerShape> = {
  'conv [5,7,3,3]': convShape(5, 7, 3, 3),
  'conv [6,10,3,3]': convShape(6, 10, 3, 3),
  'conv [4,10,3,3]': convShape(4, 10, 3, 3),
  'conv [12,10,3,3]': convShape(12, 10, 3, 3),
  '1×1 conv [3,3,1,1]': convShape(3, 3, 1, 1),
  '1×1 conv [8,6,1,1]': convShape(8, 6, 1, 1),
  '1×1 conv [8,12,1,1]': convShape(8, 12, 1, 1),
  'depthwise [6,1,3,3]': convShape(6, 1, 3, 3),
  'depthwise [8,1,3,3]': convShape(8, 1, 3, 3),
  'linear [7,13]': linearShape(7, 13),
  'linear [10,33]': linearShape(10, 33),
  'linear [8,12]': linearShape(8, 12),
  'linear [9,33]': linearShape(9, 33),
};
type ShapeName = keyof typeof SHAPES;

interface SchemeCase {
  readonly label: string;
  readonly scheme: SparsityScheme;
  /** Expected refusal reason per shape; shapes not listed are structured. */
  readonly refuses: Partial<Record<ShapeName, RegExp>>;
}

const notThreeByThree = /^kernel 1×1 is not 3×3: the eight 4-entry patterns are defined on 3×3 kernels only$/;
const noKernels = /^pattern sparsity applies to convolutions only .*a linear layer has no kernels$/;
const outOf4 = (out: number) => new RegExp(`^output count ${out} is not divisible by 4: a block is 4 consecutive output rows`);
const singleChannel = /^input count 1 \(a depthwise or single-input layer\): its only input channel is the whole layer/;
const outOfB = (out: number, B: number) => new RegExp(`^output count ${out} is not divisible by block size ${B}: rows are shuffled into groups of exactly ${B}$`);
const rowOfB = (row: string, B: number) => new RegExp(`^row length ${row} is not divisible by block size ${B}: every block takes ${B} whole columns$`);

const CASES: SchemeCase[] = [
  { label: 'irregular', scheme: createScheme('irregular'), refuses: {} },
  {
    label: 'pattern',
    scheme: createScheme('pattern'),
    refuses: {
      '1×1 conv [3,3,1,1]': notThreeByThree,
      '1×1 conv [8,6,1,1]': notThreeByThree,
      '1×1 conv [8,12,1,1]': notThreeByThree,
      'linear [7,13]': noKernels,
      'linear [10,33]': noKernels,
      'linear [8,12]': noKernels,
      'linear [9,33]': noKernels,
    },
  },
  {
    label: 'block (4×1)',
    scheme: createScheme('block'),
    refuses: {
      'conv [5,7,3,3]': outOf4(5),
      'conv [6,10,3,3]': outOf4(6),
      '1×1 conv [3,3,1,1]': outOf4(3),
      'depthwise [6,1,3,3]': outOf4(6),
      'linear [7,13]': outOf4(7),
      'linear [10,33]': outOf4(10),
      'linear [9,33]': outOf4(9),
    },
  },
  {
    label: 'channel',
    scheme: createScheme('channel'),
    refuses: { 'depthwise [6,1,3,3]': singleChannel, 'depthwise [8,1,3,3]': singleChannel },
  },
  {
    label: 'shuffled-block B=4',
    scheme: createScheme('shuffled-block', { blockSize: 4 }),
    refuses: {
      'conv [5,7,3,3]': outOfB(5, 4),
      'conv [6,10,3,3]': outOfB(6, 4),
      'conv [4,10,3,3]': rowOfB('90 \\(in·kh·kw = 10·3·3\\)', 4),
      'conv [12,10,3,3]': rowOfB('90 \\(in·kh·kw = 10·3·3\\)', 4),
      '1×1 conv [3,3,1,1]': outOfB(3, 4),
      '1×1 conv [8,6,1,1]': rowOfB('6 \\(in·kh·kw = 6·1·1\\)', 4),
      'depthwise [6,1,3,3]': outOfB(6, 4),
      'depthwise [8,1,3,3]': rowOfB('9 \\(in·kh·kw = 1·3·3\\)', 4),
      'linear [7,13]': outOfB(7, 4),
      'linear [10,33]': outOfB(10, 4),
      'linear [9,33]': outOfB(9, 4),
    },
  },
  {
    label: 'shuffled-block B=3',
    scheme: createScheme('shuffled-block', { blockSize: 3 }),
    refuses: {
      'conv [5,7,3,3]': outOfB(5, 3),
      'conv [4,10,3,3]': outOfB(4, 3),
      '1×1 conv [3,3,1,1]': /^the layer is a single 3×3 block, so shuffled-block sparsity could keep all of it or nothing$/,
      '1×1 conv [8,6,1,1]': outOfB(8, 3),
      '1×1 conv [8,12,1,1]': outOfB(8, 3),
      'depthwise [6,1,3,3]': /^input count 1 is below block size 3 \(DSB blocks only layers with at least B input channels\)$/,
      'depthwise [8,1,3,3]': outOfB(8, 3),
      'linear [7,13]': outOfB(7, 3),
      'linear [10,33]': outOfB(10, 3),
      'linear [8,12]': outOfB(8, 3),
    },
  },
];

const DENSITIES = [0.01, 0.05, 1 - 0.91, 0.1, 0.2, 1 - 0.6, 0.5, 0.9, 1];

const cells = CASES.flatMap((c) => Object.keys(SHAPES).map((shapeName) => [c.label, shapeName, c] as const));
const structured = cells.filter(([, shapeName, c]) => c.refuses[shapeName] === undefined);
const refused = cells.filter(([, shapeName, c]) => c.refuses[shapeName] !== undefined);

function describeLayerShape(shape: LayerShape): string {
  const dims = shape.kind === 'linear' ? [shape.out, shape.in] : [shape.out, shape.in, shape.kh, shape.kw];
  return `${shape.kind} [${dims.join(', ')}]`;
}

/** The count a scheme keeps at `density`, from its documented rule (spelled out here, independently of the code). */
function documentedCount(scheme: SparsityScheme, shape: LayerShape, density: number): number {
  if (scheme.name === 'pattern') return 4 * shape.out * patternKernelsKept(shape.in, density);
  const group = scheme.groupSize(shape);
  const groups = layerSize(shape) / group;
  const nearest = Math.min(groups, Math.round(activeCount(shape, density) / group));
  return (nearest === 0 && density > 0 ? 1 : nearest) * group;
}

/** The mask is stored by the scheme's compressed format with exactly its active entries (none padded). */
function expectStorable(scheme: SparsityScheme, shape: LayerShape, mask: Mask): void {
  const rows = shape.out;
  const cols = rowLength(shape);
  const weights = new Float32Array(layerSize(shape));
  const active = countActive(mask);
  switch (scheme.name as SchemeName) {
    case 'irregular':
      expect(buildCsr(weights, mask, rows, cols).values.length).toBe(active);
      return;
    case 'block':
      expect(buildBlock4(weights, mask, rows, cols).padded).toBe(0);
      return;
    case 'channel':
      expect(buildChannelCompaction(weights, mask, rows, shape.in, shape.kh * shape.kw).padded).toBe(0);
      return;
    case 'pattern':
      expect(buildPatternConv(shape, weights, mask).padded).toBe(0);
      return;
    case 'shuffled-block': {
      const B = scheme.groupSize(shape) ** 0.5;
      expect(buildShuffledBlocks(weights, mask, rows, cols, B).values.length).toBe(active);
      return;
    }
  }
}

describe('schemes on odd shapes', () => {
  it.each(structured)('%s should structure %s: exact documented counts, conforming and storable masks', (_label, shapeName, { scheme }) => {
    // Prepare
    const shape = SHAPES[shapeName];
    const size = layerSize(shape);
    const rng = createRng(17);
    expect(scheme.unsupportedReason(shape)).toBeUndefined();
    for (const density of DENSITIES) {
      // Execute
      const keep = scheme.activeCountAt(shape, density);
      const mask = scheme.project(shape, randomScores(size, rng), keep, rng);
      // Assert
      expect(keep, `d=${density}`).toBe(documentedCount(scheme, shape, density));
      expect(scheme.roundCount(shape, keep), `d=${density}`).toBe(keep);
      expect(keep, `d=${density}: a positive density never empties the layer`).toBeGreaterThan(0);
      expect(countActive(mask), `d=${density}`).toBe(keep);
      expect(scheme.conforms(shape, mask), `d=${density}`).toBe(true);
      expectStorable(scheme, shape, mask);
      // MEST harden from dense weights, then an EM mutation at the same count.
      const hardened = scheme.prune({ shape, mask: new Uint8Array(size).fill(1), score: randomScores(size, rng), keep });
      expect(countActive(hardened), `harden d=${density}`).toBe(keep);
      expect(scheme.conforms(shape, hardened)).toBe(true);
      const pruned = scheme.prune({ shape, mask: hardened, score: randomScores(size, rng), keep: scheme.activeCountAt(shape, density / 2) });
      const regrown = scheme.grow({ shape, mask: pruned, score: undefined, count: keep - countActive(pruned), rng });
      expect(isSubset(pruned, regrown)).toBe(true);
      expect(countActive(regrown), `regrow d=${density}`).toBe(keep);
      expect(scheme.conforms(shape, regrown)).toBe(true);
    }
    expect(scheme.activeCountAt(shape, 0)).toBe(0);
  });

  // The shared invariant run grows from a start mask at N/4 that must leave room; a pattern layer with one kernel per
  // filter (depthwise) already keeps every kernel there, so its growth is covered by the test above instead.
  it.each(structured.filter(([, shapeName, { scheme }]) => !(scheme.name === 'pattern' && SHAPES[shapeName].in === 1)))(
    '%s should keep every scheme invariant on %s',
    (_label, shapeName, { scheme }) => checkSchemeInvariants(scheme, SHAPES[shapeName], 23),
  );

  it.each(refused)('%s should refuse %s with a clear error', (_label, shapeName, { scheme, refuses }) => {
    // Prepare
    const shape = SHAPES[shapeName];
    const size = layerSize(shape);
    const reason = refuses[shapeName] as RegExp;
    const mask = new Uint8Array(size).fill(1);
    const score = new Float32Array(size).fill(1);
    const rng = createRng(1);
    const prefix = `${scheme.name} scheme cannot structure layer ${describeLayerShape(shape)}: `;
    // Execute + Assert
    expect(scheme.unsupportedReason(shape)).toMatch(reason);
    const operations: [string, () => unknown][] = [
      ['groupSize', () => scheme.groupSize(shape)],
      ['roundCount', () => scheme.roundCount(shape, 10)],
      ['activeCountAt', () => scheme.activeCountAt(shape, 0.1)],
      ['groupScores', () => scheme.groupScores(shape, mask, score)],
      ['prune', () => scheme.prune({ shape, mask, score, keep: 10 })],
      ['grow', () => scheme.grow({ shape, mask: new Uint8Array(size), score: undefined, count: 10, rng })],
      ['project', () => scheme.project(shape, score, 10, rng)],
    ];
    for (const [operation, run] of operations) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error, operation).toBeInstanceOf(SchemeNotApplicableError);
      const message = (error as Error).message;
      expect(message.startsWith(prefix), `${operation}: ${message}`).toBe(true);
      expect(message.slice(prefix.length)).toMatch(reason);
    }
    expect(scheme.conforms(shape, mask)).toBe(false);
    expect(() => assertSchemeApplies(scheme, shape, 'features.3')).toThrow(`${scheme.name} scheme cannot structure layer "features.3" (${describeLayerShape(shape)}): `);
    // Methods run such a layer as irregular, at the project-wide count.
    expect(schemeForLayer(scheme, shape).name).toBe('irregular');
  });

  it('should refuse a layer that is one single group (all or nothing) for block and shuffled-block', () => {
    expect(createScheme('block').unsupportedReason(linearShape(4, 1))).toBe('the layer is a single 4×1 block, so block sparsity could keep all of it or nothing');
    expect(createScheme('block').unsupportedReason(linearShape(4, 2))).toBeUndefined();
    expect(createScheme('shuffled-block', { blockSize: 4 }).unsupportedReason(linearShape(4, 4))).toMatch(/single 4×4 block/);
    expect(createScheme('shuffled-block', { blockSize: 4 }).unsupportedReason(linearShape(4, 8))).toBeUndefined();
  });

  it('should keep at least one group at a positive density: channel sparsity at d = 0.1 on a 3-input 1×1 conv keeps 1 of 3 channels', () => {
    const shape = SHAPES['1×1 conv [3,3,1,1]'];
    const channel = createScheme('channel');
    expect(activeCount(shape, 0.1)).toBe(1); // round(0.9): 1 weight, i.e. round(1/3) = 0 whole channels
    expect(channel.activeCountAt(shape, 0.1)).toBe(3);
    expect(channel.activeCountAt(shape, 0.5)).toBe(6); // 4.5 → round(1.5) = 2 channels
  });

  it('should give a depthwise 3×3 conv one pattern per filter at every positive density (I = 1: the formula has no other step)', () => {
    const shape = SHAPES['depthwise [6,1,3,3]'];
    const pattern = createScheme('pattern');
    for (const density of [0.01, 0.1, 0.44, 1]) expect(pattern.activeCountAt(shape, density)).toBe(6 * 4);
    expect(pattern.activeCountAt(shape, 0)).toBe(0);
  });
});

const RUN = { epochs: 3, stepsPerEpoch: 4, density: 0.2 };
const METHODS: MethodName[] = ['static', 'rigl', 'granet', 'mest-em', 'mest-ems'];

describe('methods over odd shapes', () => {
  const specs: LayerSpec[] = Object.entries(SHAPES).map(([name, shape], i) => ({ name, shape, density: [0.1, 0.2, 0.3, 1 - 0.91][i % 4] }));
  const runs = CASES.flatMap((c) => METHODS.map((method) => [method, c.label, c] as const));

  it.each(runs)('%s with %s should run every odd layer without a crash and keep it conforming', (method, _label, { scheme }) => {
    // Prepare
    const layers = makeLayers(specs, 11);
    const ctx = makeContext(layers, specs, { scheme, ...RUN });
    const sut = createMethod(method, { schedule: defaultScheduleFor(method, RUN), epochs: RUN.epochs, stepsPerEpoch: RUN.stepsPerEpoch });
    // Execute + Assert
    simulate(sut, ctx, {
      onHook: (event) => {
        layers.forEach((layer) => {
          const own = schemeForLayer(scheme, layer.shape);
          expect(own.conforms(layer.shape, layer.mask), `${layer.name} after ${event.hook}@${event.info.step}`).toBe(true);
        });
        // GraNet starts from its own initial density; the others start at the allocated one.
        if (event.hook !== 'initialize' || method === 'granet') return;
        layers.forEach((layer, i) => {
          const own = schemeForLayer(scheme, layer.shape);
          expect(countActive(layer.mask), layer.name).toBe(own.activeCountAt(layer.shape, specs[i].density));
        });
      },
    });
  });
});
