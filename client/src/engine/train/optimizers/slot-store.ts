// Per-variable optimizer slots (momentum buffers, Adam moments) as non-trainable tf.Variables.
import * as tf from '@tensorflow/tfjs';

export class SlotStore {
  private readonly slots = new Map<string, tf.Variable[]>();

  constructor(private readonly slotCount: number) {}

  /** The slots of a variable, created as zeros on first use. */
  get(variable: tf.Variable): tf.Variable[] {
    let slots = this.slots.get(variable.name);
    if (slots === undefined) {
      slots = [];
      for (let i = 0; i < this.slotCount; i++) {
        const zeros = tf.zerosLike(variable);
        slots.push(tf.variable(zeros, false));
        zeros.dispose();
      }
      this.slots.set(variable.name, slots);
    }
    return slots;
  }

  peek(variable: tf.Variable): tf.Variable[] | undefined {
    return this.slots.get(variable.name);
  }

  /** Copies of a variable's slot values (tf layout), or undefined when it has none yet (checkpoints). */
  read(variable: tf.Variable): Float32Array[] | undefined {
    return this.slots.get(variable.name)?.map((slot) => Float32Array.from(slot.dataSync() as Float32Array));
  }

  /** Overwrites (creating when needed) a variable's slots with checkpointed values (tf layout). */
  write(variable: tf.Variable, values: readonly Float32Array[]): void {
    if (values.length !== this.slotCount) throw new RangeError(`${variable.name}: ${values.length} slot values, expected ${this.slotCount}`);
    // Fresh variables rather than assign: a compressed weight's slots may still have an older length.
    for (const slot of this.slots.get(variable.name) ?? []) slot.dispose();
    const restored = values.map((slotValues) => {
      const initial = tf.tensor(slotValues, variable.shape, 'float32');
      try {
        return tf.variable(initial, false);
      } finally {
        initial.dispose();
      }
    });
    this.slots.set(variable.name, restored);
  }

  /** Gathers every slot of `variable` into its current shape: new[j] = from[j] < 0 ? 0 : old[from[j]]. */
  remap(variable: tf.Variable, from: Int32Array): void {
    const slots = this.slots.get(variable.name);
    if (slots === undefined) return;
    if (from.length !== variable.size) throw new RangeError(`${variable.name}: remap of ${from.length} entries for ${variable.size} values`);
    const remapped = slots.map((slot) => {
      const old = slot.dataSync() as Float32Array;
      const values = new Float32Array(from.length);
      for (let j = 0; j < from.length; j++) if (from[j] >= 0) values[j] = old[from[j]];
      const initial = tf.tensor(values, variable.shape, 'float32');
      const next = tf.variable(initial, false);
      initial.dispose();
      slot.dispose();
      return next;
    });
    this.slots.set(variable.name, remapped);
  }

  mask(variable: tf.Variable, keep: tf.Tensor): void {
    const slots = this.slots.get(variable.name);
    if (slots === undefined) return;
    tf.tidy(() => {
      for (const slot of slots) slot.assign(tf.mul(slot, keep));
    });
  }

  dispose(): void {
    for (const slots of this.slots.values()) for (const slot of slots) slot.dispose();
    this.slots.clear();
  }
}
