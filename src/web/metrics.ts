import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueSet } from '../queues/queue-set.js';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
}

/** A registry per server (not prom-client's global one) so several apps in one test process don't collide. */
export function createMetrics(queues: QueueSet): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ontact_' });
  const httpDuration = new Histogram({
    name: 'ontact_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'ontact_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });

  // prom-client collects metrics concurrently, so both gauges share one read of the queue counts per scrape.
  let sampling: Promise<Awaited<ReturnType<QueueSet['counts']>> | null> | undefined;
  const sample = () => {
    sampling ??= queues
      .counts()
      .catch(() => null)
      .finally(() => setImmediate(() => (sampling = undefined)));
    return sampling;
  };

  new Gauge({
    name: 'ontact_redis_up',
    help: '1 when queue counts could be read from Redis',
    registers: [registry],
    async collect() {
      this.set((await sample()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ontact_queue_jobs',
    help: 'Jobs per queue and state (absent while Redis is unreachable)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const counts = await sample();
      this.reset();
      for (const [queue, states] of Object.entries(counts ?? {})) {
        for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      }
    },
  });
  return { registry, httpDuration, httpRequests };
}
