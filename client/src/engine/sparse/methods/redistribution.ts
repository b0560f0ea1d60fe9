// Redistribution of a grow budget across layers (GraNet ImageNet funcs.py defines these but `truncate_weights`
// never calls them, in either codebase: published GraNet and RigL always regrow per layer). Here they work:
// - 'none': no redistribution, each layer regrows what it lost (the reference behaviour);
// - 'magnitude': shares ∝ mean |w| of the layer's active weights;
// - 'nonzeros': shares ∝ the layer's active count.
// Shares are capped by each layer's free room; what a capped layer cannot take goes to the others (largest
// remainder rounding), so the total is exact whenever there is room for it.
import type { RedistributionMode } from '../schedules/schema.js';

export interface RedistributionLayer {
  /** What the layer lost in this update (what 'none' gives back). */
  readonly removed: number;
  /** Inactive positions available after pruning. */
  readonly room: number;
  /** Active weights after pruning. */
  readonly active: number;
  /** Mean |w| over the active weights after pruning. */
  readonly meanMagnitude: number;
}

export function redistributeGrowth(layers: readonly RedistributionLayer[], mode: RedistributionMode): number[] {
  const budget = layers.reduce((sum, layer) => sum + layer.removed, 0);
  if (mode === 'none') return layers.map((layer) => Math.min(layer.removed, layer.room));
  const weights = layers.map((layer) => (mode === 'magnitude' ? layer.meanMagnitude : layer.active));
  return allocateProportionally(budget, weights, layers.map((layer) => layer.room));
}

/** Integer shares of `budget` ∝ weights, each capped by capacity; sum = min(budget, Σ capacity). */
export function allocateProportionally(budget: number, weights: readonly number[], capacity: readonly number[]): number[] {
  const shares = capacity.map(() => 0);
  let remaining = Math.min(budget, capacity.reduce((a, b) => a + b, 0));
  let open = weights.map((_, i) => i).filter((i) => capacity[i] > 0);
  while (remaining > 0 && open.length > 0) {
    const mass = open.reduce((sum, i) => sum + Math.max(weights[i], 0), 0);
    const ideal = open.map((i) => (mass > 0 ? (remaining * Math.max(weights[i], 0)) / mass : remaining / open.length));
    const floors = ideal.map((x, k) => Math.min(Math.floor(x), capacity[open[k]] - shares[open[k]]));
    let given = 0;
    floors.forEach((f, k) => {
      shares[open[k]] += f;
      given += f;
    });
    remaining -= given;
    // Largest remainders get one more each, among layers with room left.
    const byRemainder = open
      .map((i, k) => ({ i, r: ideal[k] - Math.floor(ideal[k]) }))
      .filter(({ i }) => shares[i] < capacity[i])
      .sort((a, b) => b.r - a.r || a.i - b.i);
    for (const { i } of byRemainder) {
      if (remaining === 0) break;
      shares[i]++;
      remaining--;
    }
    open = open.filter((i) => shares[i] < capacity[i]);
    if (given === 0 && byRemainder.length === 0) break;
  }
  return shares;
}
