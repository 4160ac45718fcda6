/**
 * The JSON API under /api/v1: one route per operation of the application layer, with the
 * caller's API token as the actor, request validation from the operation's input schema, one
 * error handler mapping error codes to HTTP statuses, and an OpenAPI description generated from
 * the same schemas at /api/v1/openapi.json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OPERATIONS } from '../api/index.js';
import { AppError, HTTP_STATUS, toAppError } from '../api/errors.js';
import { invoke, type Operation } from '../api/operation.js';
import type { AppContext } from '../app/context.js';
import { authenticate, UserError } from '../users/users.js';

export const API_PREFIX = '/api/v1';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(HTTP_STATUS[error.code]).send({ error: { code: error.code, message: error.message, ...(error.issues.length ? { issues: error.issues } : {}) } });
}

export function apiRoutes(ctx: AppContext) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(
      async (api) => {
        api.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
          if (error instanceof AppError) return sendError(reply, error);
          if (error instanceof UserError) return sendError(reply, new AppError(error.code, error.message));
          // Fastify's own refusals (a body that is not JSON, one too large) keep their status, in the API's shape.
          if (error.statusCode && error.statusCode < 500) {
            const code = error.statusCode === 401 ? 'unauthenticated' : error.statusCode === 403 ? 'forbidden' : error.statusCode === 404 ? 'not_found' : 'invalid';
            return reply.code(error.statusCode).send({ error: { code, message: error.message } });
          }
          const appError = toAppError(error);
          if (appError.code === 'internal') request.log.error({ err: error.message }, 'api: unexpected error');
          return sendError(reply, appError);
        });
        api.setNotFoundHandler((request, reply) => sendError(reply, new AppError('not_found', `no API route ${request.method} ${request.url.split('?')[0]}; see ${API_PREFIX}/openapi.json`)));

        api.get('/openapi.json', async () => openApiDocument());

        for (const op of OPERATIONS) {
          const url = op.path;
          const handler = async (request: FastifyRequest, reply: FastifyReply) => {
            let actor;
            try {
              actor = await authenticate(ctx.store.db, ctx.config, bearer(request));
            } catch (error) {
              if (error instanceof UserError) return sendError(reply, new AppError(error.code, error.message));
              throw error;
            }
            const input = { ...(request.query as object), ...(typeof request.body === 'object' && request.body !== null ? request.body : {}), ...(request.params as object) };
            const output = await invoke(ctx, actor, op, input);
            return reply.code(200).send(output);
          };
          if (op.method === 'GET') api.get(url, handler);
          else api.post(url, handler);
        }
      },
      { prefix: API_PREFIX },
    );
  };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(HTTP_STATUS) },
        message: { type: 'string' },
        issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
}

/** The OpenAPI 3.1 description of every operation, generated from the schemas the API validates with. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS as readonly Operation[]) {
    const openPath = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const pathParams = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const input = jsonSchema(op.input, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    const properties = input.properties ?? {};
    const required = new Set(input.required ?? []);
    const parameters = [
      ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: properties[name] ?? { type: 'string' } })),
      ...(op.method === 'GET' ? Object.entries(properties).filter(([name]) => !pathParams.includes(name)).map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema })) : []),
    ];
    const bodyProperties = Object.fromEntries(Object.entries(properties).filter(([name]) => !pathParams.includes(name)));
    paths[openPath] ??= {};
    paths[openPath][op.method.toLowerCase()] = {
      operationId: op.name,
      summary: op.summary,
      description: `Roles: ${op.roles.length ? [...op.roles, 'admin'].join(', ') : 'admin'}.`,
      security: [{ bearer: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(op.method === 'POST'
        ? { requestBody: { required: true, content: { 'application/json': { schema: { ...input, properties: bodyProperties, required: [...required].filter((n) => !pathParams.includes(n)) } } } } }
        : {}),
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: jsonSchema(op.output, 'output') } } },
        ...Object.fromEntries(
          ([400, 401, 403, 404, 409, 503] as const).map((status) => [status, { description: Object.entries(HTTP_STATUS).find(([, s]) => s === status)![0], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Ontact API', version: '1', description: 'Posts, sources, inquiries, notifications and accounts of an Ontact installation. Every call needs an API token (`Authorization: Bearer …`).' },
    servers: [{ url: API_PREFIX }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: ERROR_SCHEMA } },
    paths,
  };
}
