import { resourceAmount } from '../../api/quantity.js';

/** A resource amount in canonical units (cpu millicores, bytes, counts) written back as a quantity. */
export function formatAmount(resource: string, amount: number): string {
  if (resource === 'cpu' || resource.endsWith('.cpu')) {
    return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  }
  if (/memory|storage/.test(resource) && amount !== 0) {
    for (const [suffix, size] of [
      ['Ti', 1024 ** 4],
      ['Gi', 1024 ** 3],
      ['Mi', 1024 ** 2],
      ['Ki', 1024],
    ] as const) {
      if (amount % size === 0) return `${amount / size}${suffix}`;
    }
  }
  return String(amount);
}

/**
 * Parses a quota or limit quantity for `resource`: `requests.cpu`/`limits.cpu`/`cpu` in millicores,
 * everything else in whole units.
 */
export function parseAmount(resource: string, text: string | number, path: string): number {
  const base =
    resource.startsWith('requests.') || resource.startsWith('limits.')
      ? resource.slice(resource.indexOf('.') + 1)
      : resource;
  return resourceAmount(base, text, path);
}
