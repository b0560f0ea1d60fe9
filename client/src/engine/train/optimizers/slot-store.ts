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
