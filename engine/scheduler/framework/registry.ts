import type { PluginFactory } from './types.js';

/**
 * Plugin name → factory, as kube-scheduler's `runtime.Registry`: a plain map that refuses duplicates.
 * Insertion order is kept, so listings are deterministic.
 */
export class Registry {
  readonly #factories = new Map<string, PluginFactory<unknown>>();

  /** Adds a factory; throws when the name is taken. */
  register<A>(factory: PluginFactory<A>): this {
    if (this.#factories.has(factory.name)) throw new Error(`a plugin named "${factory.name}" already exists`);
    this.#factories.set(factory.name, factory as PluginFactory<unknown>);
    return this;
  }

  /** The factory of `name`, or undefined. */
  get(name: string): PluginFactory<unknown> | undefined {
    return this.#factories.get(name);
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#factories.has(name);
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.#factories.keys()];
  }

  /** A copy, to extend without touching the original. */
  clone(): Registry {
    const r = new Registry();
    for (const f of this.#factories.values()) r.register(f);
    return r;
  }
}
