// Matrix expansion: the cartesian product of a campaign's axes in a fixed order, each cell named by a stable hash
// of its parameters (the same cell gets the same id in every campaign and on every run). Pure. Kernel ops pair only
// with the shapes of their family (linear: 3 numbers, conv: 6), so one campaign can hold a network's linear and
// conv layers. The size of a matrix is read from its shape (`campaignSizeOf`: the product of the axis lengths, op
// × shape counting the pairs that fit) before anything is expanded, and cells are produced one at a time
// (`iterateMatrix`) so a caller can spread the work over event-loop turns.
import { createHash } from 'node:crypto';
import { shapeLengthOf, type CampaignMeasure, type CampaignSpec, type KernelOp } from './campaign-spec.js';

/** The parameters of one cell; fields that do not apply to the measure are absent. */
export interface CellParams {
  readonly measure: CampaignMeasure;
  readonly op?: KernelOp;
  readonly shape?: readonly number[];
  readonly model?: string;
  readonly method?: string;
  readonly scheme: string;
  readonly density: number;
  readonly batchSize?: number;
  /** Requested backend; absent = the agent's choice. */
  readonly backend?: string;
}

export interface CampaignCell {
  readonly id: string;
  readonly params: CellParams;
  /** Short human label, e.g. "linear-forward [64,512,512] block d=0.1". */
  readonly label: string;
}

/** Axis order of the product (the first varies slowest). */
const AXES = ['op', 'shape', 'model', 'method', 'scheme', 'density', 'batchSize', 'backend'] as const;
export type MatrixAxis = (typeof AXES)[number];
type Axis = MatrixAxis;

const DEFAULT_SCHEME = 'irregular';

/** Upper bound on the jobs one campaign may create (a typo in a matrix should not flood the queue). */
export const MAX_CAMPAIGN_JOBS = 5000;

/** A matrix's size read from its shape alone: the length of each axis present and their product. */
export interface CampaignSize {
  readonly axes: ReadonlyArray<{ readonly axis: Axis; readonly length: number }>;
  readonly cells: number;
  /** Set when some op × shape combinations do not fit (ops of both families): the pairs that do. */
  readonly opShapePairs?: number;
}

/** The number of cells `expandMatrix` would produce, without producing them (the product of the axis lengths). */
export function campaignSizeOf(spec: Pick<CampaignSpec, 'matrix'>): CampaignSize {
  const axes = presentAxes(spec).map(([axis, values]) => ({ axis, length: values.length }));
  const product = axes.reduce((total, { length }) => total * length, 1);
  const { op, shape } = spec.matrix;
  if (op === undefined || shape === undefined || op.length * shape.length === 0) return { axes, cells: product };
  const pairs = opShapePairs(op, shape);
  const pairing = pairs === op.length * shape.length ? {} : { opShapePairs: pairs };
  return { axes, cells: (product / (op.length * shape.length)) * pairs, ...pairing };
}

/** (op, shape) combinations whose shape has the op family's length. */
export function opShapePairs(ops: readonly KernelOp[], shapes: readonly (readonly number[])[]): number {
  let pairs = 0;
  for (const op of ops) for (const shape of shapes) if (fits(op, shape)) pairs += 1;
  return pairs;
}

function fits(op: KernelOp, shape: readonly number[]): boolean {
  return shape.length === shapeLengthOf(op);
}

/** E.g. "300000 cells (op 3 × shape 100 × scheme 5 × density 200)", "8 cells (op·shape pairs 2 × scheme 2 × density 2)". */
export function describeSize(size: CampaignSize): string {
  const paired = size.opShapePairs !== undefined;
  const factors = size.axes
    .filter(({ axis, length }) => length > 1 && !(paired && (axis === 'op' || axis === 'shape')))
    .map(({ axis, length }) => `${axis} ${length}`);
  if (paired && size.opShapePairs! > 1) factors.unshift(`op·shape pairs ${size.opShapePairs}`);
  return `${size.cells} ${size.cells === 1 ? 'cell' : 'cells'}${factors.length > 0 ? ` (${factors.join(' × ')})` : ''}`;
}

/** The issue refusing a matrix whose cells alone exceed the cap (every cell runs at least once), if it does. */
export function cellCountIssue(size: CampaignSize): string | undefined {
  if (size.cells <= MAX_CAMPAIGN_JOBS) return undefined;
  return `matrix: ${describeSize(size)} exceed the limit of ${MAX_CAMPAIGN_JOBS} jobs per campaign`;
}

/** The issue refusing cells × runs per cell above the cap, if it is. */
export function jobCountIssue(size: CampaignSize, runsPerCell: number, runs: string): string | undefined {
  const jobs = size.cells * runsPerCell;
  if (jobs <= MAX_CAMPAIGN_JOBS) return undefined;
  return `matrix: ${describeSize(size)} × ${runsPerCell} ${runs} = ${jobs} jobs exceed the limit of ${MAX_CAMPAIGN_JOBS} jobs per campaign`;
}

/** Every cell of the matrix, in product order (the first axis varies slowest); check the size first. */
export function expandMatrix(spec: Pick<CampaignSpec, 'measure' | 'matrix'>): CampaignCell[] {
  return [...iterateMatrix(spec)];
}

/** The cells one at a time (nothing is built ahead), in the same order as `expandMatrix`. */
export function* iterateMatrix(spec: Pick<CampaignSpec, 'measure' | 'matrix'>): Generator<CampaignCell, void, undefined> {
  const axes = presentAxes(spec);
  if (axes.some(([, values]) => values.length === 0)) return;
  const index = axes.map(() => 0);
  const shapePosition = axes.findIndex(([axis]) => axis === 'shape');
  for (;;) {
    const partial: Record<string, unknown> = {};
    axes.forEach(([axis, values], position) => {
      partial[axis] = values[index[position]!];
    });
    const params = { measure: spec.measure, scheme: DEFAULT_SCHEME, ...partial } as CellParams;
    if (params.op === undefined || params.shape === undefined || fits(params.op, params.shape)) {
      yield { id: cellIdOf(params), params, label: cellLabel(params) };
    } else {
      // A shape of the other family: skip every cell under this (op, shape) at once.
      for (let position = shapePosition + 1; position < axes.length; position++) index[position] = axes[position]![1].length - 1;
    }
    // Mixed-radix increment, last axis fastest.
    let position = axes.length - 1;
    while (position >= 0 && ++index[position]! === axes[position]![1].length) {
      index[position] = 0;
      position -= 1;
    }
    if (position < 0) return;
  }
}

function presentAxes(spec: Pick<CampaignSpec, 'matrix'>): Array<[Axis, readonly unknown[]]> {
  const axes: Array<[Axis, readonly unknown[]]> = [];
  for (const axis of AXES) {
    const values = spec.matrix[axis] as readonly unknown[] | undefined;
    if (values !== undefined) axes.push([axis, values]);
  }
  return axes;
}

/** "c-" + 12 hex digits of sha256 over the canonical JSON of the parameters (keys sorted). */
export function cellIdOf(params: CellParams): string {
  const canonical = JSON.stringify(
    Object.keys(params)
      .sort()
      .filter((key) => params[key as keyof CellParams] !== undefined)
      .map((key) => [key, params[key as keyof CellParams]]),
  );
  return `c-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

export function cellLabel(params: CellParams): string {
  const parts: string[] = [];
  if (params.op) parts.push(params.op);
  if (params.shape) parts.push(`[${params.shape.join(',')}]`);
  if (params.model) parts.push(params.model);
  if (params.method) parts.push(params.method);
  parts.push(params.scheme, `d=${params.density}`);
  if (params.batchSize !== undefined) parts.push(`b=${params.batchSize}`);
  if (params.backend) parts.push(params.backend);
  return parts.join(' ');
}
