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
  const redisUp = new Gauge({ name: 'ontact_redis_up', help: '1 when queue counts could be read from Redis', registers: [registry] });
  new Gauge({
    name: 'ontact_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await queues.counts();
        this.reset();
        for (const [queue, states] of Object.entries(counts)) {
          for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
        }
        redisUp.set(1);
      } catch {
        // Redis being down is itself the measurement: the gauge goes to 0 and the counts are left out.
        this.reset();
        redisUp.set(0);
      }
    },
  });
  return { registry, httpDuration, httpRequests };
}
