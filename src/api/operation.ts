/**
 * Commands and queries of the application layer. Each operation names who may call it, the
 * shape of its input and output (zod schemas, which also describe the JSON API in OpenAPI), and
 * what it does with the application context on behalf of an authenticated actor. The JSON API,
 * the CLI and the web console all call operations; none of them holds business logic.
 */
import { z } from 'zod';
import type { AppContext } from '../app/context.js';
import type { UserRole } from '../store/app-tables.js';
import { actorName, type Actor } from '../users/users.js';
import { AppError, toAppError } from './errors.js';

export interface Operation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** `posts.create`: what the CLI and the audit log call it. */
  name: string;
  method: 'GET' | 'POST';
  /** Under /api/v1, with `:param` segments that come from the input. */
  path: string;
  summary: string;
  /** Who may call it (admins may call everything). */
  roles: readonly UserRole[];
  input: I;
  output: O;
  run(ctx: AppContext, actor: Actor, input: z.output<I>): Promise<z.input<O>>;
  /** What an audit entry says about a call that changes something (domain services audit their own actions; this covers the rest). */
  audit?(input: z.output<I>, output: z.output<O>): { subjectType: string; subjectId: string | number; detail?: Record<string, unknown> };
}

export function defineOperation<I extends z.ZodType, O extends z.ZodType>(operation: Operation<I, O>): Operation<I, O> {
  return operation;
}

export function mayCall(operation: Pick<Operation, 'roles'>, actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'admin' || operation.roles.includes(actor.role);
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message }));
}

/**
 * Runs an operation for an actor: checks the role, validates the input, runs it, and returns its
 * output as JSON would carry it (dates as ISO strings), checked against the output schema, so a
 * local caller sees exactly what a remote one does.
 */
export async function invoke<I extends z.ZodType, O extends z.ZodType>(ctx: AppContext, actor: Actor, operation: Operation<I, O>, rawInput: unknown): Promise<z.output<O>> {
  if (!mayCall(operation, actor)) {
    throw new AppError('forbidden', `${actor.login} (${actor.role}) may not ${operation.summary.replace(/^./, (c) => c.toLowerCase())}; this needs ${operation.roles.join(' or ') || 'an admin'}`);
  }
  const parsed = operation.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new AppError('invalid', `the request is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  let result: unknown;
  try {
    result = await operation.run(ctx, actor, parsed.data);
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === 'internal') ctx.log.error({ operation: operation.name, actor: actor.login, err: error instanceof Error ? (error.stack ?? error.message) : String(error) }, 'operation failed');
    throw appError;
  }
  const json: unknown = result === undefined ? null : JSON.parse(JSON.stringify(result));
  const output = operation.output.safeParse(json);
  if (!output.success) {
    ctx.log.error({ operation: operation.name, issues: issuesOf(output.error) }, 'operation output does not match its schema');
    throw new AppError('internal', `the server's answer to ${operation.name} did not match its description`);
  }
  if (operation.method !== 'GET' && operation.audit) {
    const entry = operation.audit(parsed.data, output.data);
    await ctx.store.db
      .insertInto('audit_log')
      .values({ actor: actorName(actor), action: operation.name, subject_type: entry.subjectType, subject_id: String(entry.subjectId), detail: JSON.stringify(entry.detail ?? {}) })
      .execute();
  }
  return output.data;
}
