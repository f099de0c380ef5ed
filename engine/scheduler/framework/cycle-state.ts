/**
 * Per-attempt scratch space shared by a profile's plugins (kube-scheduler's CycleState): PreFilter and
 * PreScore write what Filter and Score read. Keys are plugin-chosen strings, by convention
 * `PreFilter<PluginName>` / `PreScore<PluginName>`.
 */
export class CycleState {
  readonly #data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip: their Filter is not run this cycle. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run this cycle. */
  readonly skipScorePlugins = new Set<string>();

  /** Stores a value. */
  write(key: string, value: unknown): void {
    this.#data.set(key, value);
  }

  /** Reads a value stored by an earlier point of the same cycle (undefined when absent). */
  read<T>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  /** A shallow copy, as kube-scheduler clones the state before preemption's what-if runs. */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.#data) c.#data.set(k, v);
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}
