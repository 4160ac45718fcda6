/** A refusal or failure as the console shows it: a page, a piece of one for htmx, or JSON for its script. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderFragment, renderPage } from './render.js';

const isHtmx = (request: FastifyRequest) => request.headers['hx-request'] === 'true';
const wantsJson = (request: FastifyRequest) => /application\/json/.test(String(request.headers.accept ?? '')) && !isHtmx(request);

export function sendProblem(request: FastifyRequest, reply: FastifyReply, status: number, heading: string, message: string, english: boolean): FastifyReply {
  if (wantsJson(request)) return reply.code(status).send({ error: { status, heading, message } });
  const session = request.consoleSession ? { actor: request.consoleSession.actor, csrfToken: request.consoleSession.csrfToken } : null;
  if (isHtmx(request)) return renderFragment(reply, 'partials/problem', { heading, message, english }, session, status);
  return renderPage(request, reply, 'pages/problem', { title: heading, heading, message, english, status }, session);
}
