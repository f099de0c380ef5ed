/** Redis URLs → BullMQ connection options, and a readiness wait that fails instead of hanging. */
import type { ConnectionOptions } from 'bullmq';
import { KreplayError } from '../../engine/api/errors.js';

/** Redis is unreachable or the URL is malformed. */
export class RedisUnavailableError extends KreplayError {
  constructor(message: string) {
    super('REDIS_UNAVAILABLE', message);
  }
}

/** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS) → ioredis options for BullMQ. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUnavailableError(`--redis ${JSON.stringify(url)} is not a URL (want redis://host:6379)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new RedisUnavailableError(`--redis ${JSON.stringify(url)}: want a redis:// or rediss:// URL`);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis; ioredis must not give up on a command while reconnecting.
    maxRetriesPerRequest: null,
  };
}

/** Awaits `ready` (a BullMQ waitUntilReady), failing with RedisUnavailableError after `timeoutMs`. */
export async function readyWithin(ready: Promise<unknown>, url: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisUnavailableError(`cannot reach Redis at ${url} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
