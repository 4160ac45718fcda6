import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { checkReadiness } from '../app/readiness.js';
import { secretValues } from '../config/secrets.js';
import { requestSerializer } from '../log.js';
import { createMetrics } from './metrics.js';

/**
 * The web process: health, readiness and metrics; later the webhooks and the dashboard.
 * Routes that receive platform webhooks register themselves through `routes`.
 */
export async function buildServer(ctx: AppContext, routes: ((app: FastifyInstance) => Promise<void> | void)[] = []): Promise<FastifyInstance> {
  // Fastify logs every request's URL; a Facebook handshake carries the verify token in its
  // query, so the web role's `req` serializer redacts credential values and the configured secrets.
  const log = ctx.log.child({ role: 'web' }, { serializers: { req: requestSerializer(secretValues(ctx.secrets)) } });
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
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

  // `app` lets the CLI tell a running Ontact from anything else on the port.
  app.get('/healthz', async () => ({ ok: true, app: 'ontact' }));

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
