import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { checkReadiness } from '../app/readiness.js';
import { createMetrics } from './metrics.js';

/**
 * The web process: health, readiness and metrics; later the webhooks and the dashboard.
 * Routes that receive platform webhooks register themselves through `routes`.
 */
export async function buildServer(ctx: AppContext, routes: ((app: FastifyInstance) => Promise<void> | void)[] = []): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log.child({ role: 'web' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.web.bodyLimitBytes,
    trustProxy: ctx.config.web.trustProxy,
    requestTimeout: 30_000,
  });
  const metrics = createMetrics(ctx.queues);

  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness(ctx);
    return reply.code(readiness.ok ? 200 : 503).send(readiness);
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  for (const register of routes) await register(app);
  return app;
}
