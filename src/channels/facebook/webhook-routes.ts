import type { FastifyInstance } from 'fastify';
import type { InboundDeps } from '../module.js';
import { parseWebhook, verifyHandshake, verifySignature } from './webhook.js';

export const FACEBOOK_WEBHOOK_PATH = '/webhooks/facebook';

/**
 * Facebook's webhooks: the GET verification handshake, and POSTs of Page `feed` changes and
 * `messages`. A POST is accepted only with a valid X-Hub-Signature-256 over the raw body (401
 * and nothing stored otherwise), and answered 200 only after every event in it is stored in the
 * inbound inbox (with other requests', one write for many: src/inquiries/inbound-inbox.ts),
 * which workers take in; a failure (the database away) answers 503 so Facebook delivers it
 * again, and taking in the same event twice is a no-op. The app secret and verify token are the ones in force at each request
 * (environment, else the stored connection), so connecting new ones needs no restart.
 */
export function facebookWebhookRoutes(deps: InboundDeps<'facebook'>) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => {
      // The signature covers the exact bytes Facebook sent, so the body is kept raw here.
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

      scope.get(FACEBOOK_WEBHOOK_PATH, async (request, reply) => {
        const verifyToken = (await deps.credentials()).facebookVerifyToken;
        if (!verifyToken) return reply.code(403).send({ error: 'Facebook webhook verification is not configured: FACEBOOK_VERIFY_TOKEN is not set' });
        const challenge = verifyHandshake(request.query as Record<string, unknown>, verifyToken);
        if (challenge === null) return reply.code(403).send({ error: 'verification failed: hub.mode must be subscribe and hub.verify_token must match' });
        return reply.type('text/plain').send(challenge);
      });

      scope.post(FACEBOOK_WEBHOOK_PATH, async (request, reply) => {
        const appSecret = (await deps.credentials()).facebookAppSecret;
        if (!appSecret) return reply.code(503).send({ error: 'Facebook webhooks are not configured: FACEBOOK_APP_SECRET is not set' });
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const signature = request.headers['x-hub-signature-256'];
        if (!verifySignature(raw, typeof signature === 'string' ? signature : undefined, appSecret)) {
          request.log.warn({ hasSignature: Boolean(signature) }, 'facebook webhook refused: signature missing or wrong');
          return reply.code(401).send({ error: 'invalid or missing X-Hub-Signature-256' });
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return reply.code(400).send({ error: 'the body is not JSON' });
        }
        const { events, ignored } = parseWebhook(body, deps.settings.pageId);
        try {
          await deps.intakeLater(events);
        } catch (error) {
          // Not stored, so not acknowledged: Facebook delivers it again, and what was stored is a no-op then.
          request.log.error({ err: (error as Error).message, events: events.length }, 'facebook webhook: could not store the events; answered 503 so Facebook retries');
          return reply.code(503).header('retry-after', '5').send({ error: 'the events could not be stored just now; retry' });
        }
        if (ignored.length > 0) request.log.info({ ignored: ignored.map((i) => i.reason) }, 'facebook webhook: entries ignored');
        return reply.code(200).send({ received: events.length, ignored: ignored.length });
      });
    });
  };
}
