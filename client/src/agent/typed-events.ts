// A minimal typed event emitter. Unlike node:events, an 'error' event with no listener is not thrown:
// the agent reports errors through its own channel (and its `done` promise) instead of crashing the host.

type Listener<A extends unknown[]> = (...args: A) => void;

export class TypedEvents<M extends { [K in keyof M]: unknown[] }> {
  private readonly listeners = new Map<keyof M, Set<Listener<never[]>>>();

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as unknown as Listener<never[]>);
    return this;
  }

  once<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    const wrapper: Listener<M[K]> = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    this.listeners.get(event)?.delete(listener as unknown as Listener<never[]>);
    return this;
  }

  listenerCount<K extends keyof M>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener; a throwing listener does not stop the others or the emitter. */
  protected emit<K extends keyof M>(event: K, ...args: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as unknown as Listener<M[K]>)(...args);
      } catch (error) {
        console.error(`listener for "${String(event)}" threw:`, error);
      }
    }
  }
}
