// Matrix expansion: the cartesian product of a campaign's axes in a fixed order, each cell named by a stable hash
// of its parameters (the same cell gets the same id in every campaign and on every run). Pure.
import { createHash } from 'node:crypto';
import type { CampaignMeasure, CampaignSpec, KernelOp } from './campaign-spec.js';

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
type Axis = (typeof AXES)[number];

const DEFAULT_SCHEME = 'irregular';

export function expandMatrix(spec: Pick<CampaignSpec, 'measure' | 'matrix'>): CampaignCell[] {
  const axes: Array<[Axis, readonly unknown[]]> = [];
  for (const axis of AXES) {
    const values = spec.matrix[axis] as readonly unknown[] | undefined;
    if (values !== undefined) axes.push([axis, values]);
  }
  let partials: Array<Record<string, unknown>> = [{}];
  for (const [axis, values] of axes) {
    partials = partials.flatMap((partial) => values.map((value) => ({ ...partial, [axis]: value })));
  }
  return partials.map((partial) => {
    const params = { measure: spec.measure, scheme: DEFAULT_SCHEME, ...partial } as CellParams;
    return { id: cellIdOf(params), params, label: cellLabel(params) };
  });
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
