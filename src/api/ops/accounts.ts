import { z } from 'zod';
import { dismissNotification, listNotificationsFor } from '../../notifications/notifications.js';
import { createUser, disableUser, issueToken, listUsers, revokeTokens, USER_ROLES } from '../../users/users.js';
import type { UserRole } from '../../store/app-tables.js';
import { closeSetup, SETUP_LOGIN } from '../../users/setup.js';
import { AppError } from '../errors.js';
import { defineOperation } from '../operation.js';
import { flag, id, limit, nullableTime, time } from '../schemas.js';

const role = z.enum(USER_ROLES as unknown as [UserRole, ...UserRole[]]);
const user = z.object({ login: z.string(), name: z.string(), role, createdAt: time, createdBy: z.string(), disabledAt: nullableTime, tokens: z.number() });
const login = z.string().min(2).max(40);

export const accountOperations = [
  defineOperation({
    name: 'me',
    method: 'GET',
    path: '/me',
    summary: 'Who you are signed in as',
    roles: ['admin', 'staff', 'lead', 'counselor'],
    input: z.object({}),
    output: z.object({ login: z.string(), name: z.string(), role, team: z.string().nullable() }),
    run: async (_ctx, actor) => ({ login: actor.login, name: actor.name, role: actor.role, team: actor.team }),
  }),
  defineOperation({
    name: 'users.list',
    method: 'GET',
    path: '/users',
    summary: 'List the accounts',
    roles: [],
    input: z.object({}),
    output: z.array(user),
    async run(ctx) {
      const users = await listUsers(ctx.store.db);
      return users.map((u) => ({ login: u.login, name: u.name, role: u.role, createdAt: u.created_at.toISOString(), createdBy: u.created_by, disabledAt: u.disabled_at?.toISOString() ?? null, tokens: u.tokens }));
    },
  }),
  defineOperation({
    name: 'users.add',
    method: 'POST',
    path: '/users',
    summary: 'Add an account (a counselor or team lead by their counselor id)',
    roles: [],
    input: z.object({ login, name: z.string().min(1).max(100), role, /** Issue an API token with it (shown once). */ token: flag }),
    output: user.extend({ token: z.string().optional() }),
    async run(ctx, actor, input) {
      if (input.login === SETUP_LOGIN) throw new AppError('invalid', `"${SETUP_LOGIN}" is kept for the first start; choose another login`);
      const u = await createUser(ctx.store.db, ctx.config, input, `admin:${actor.login}`);
      const issued = input.token ? await issueToken(ctx.store.db, u.login, 'cli') : null;
      // The first real admin ends the set-up account (and its token, which made this call).
      if (u.role === 'admin') await closeSetup(ctx.store.db, ctx.config.dataDir);
      return { login: u.login, name: u.name, role: u.role, createdAt: u.created_at.toISOString(), createdBy: u.created_by, disabledAt: null, tokens: issued ? 1 : 0, ...(issued ? { token: issued.token } : {}) };
    },
    audit: (_input, output) => ({ subjectType: 'user', subjectId: output.login, detail: { role: output.role, tokenIssued: output.token !== undefined } }),
  }),
  defineOperation({
    name: 'users.disable',
    method: 'POST',
    path: '/users/:login/disable',
    summary: "Disable an account; its tokens stop working at once",
    roles: [],
    input: z.object({ login }),
    output: z.object({ login: z.string(), disabledAt: time, tokensRevoked: z.number() }),
    async run(ctx, actor, input) {
      if (input.login === actor.login) throw new AppError('conflict', 'you cannot disable your own account; ask another admin');
      const u = await disableUser(ctx.store.db, input.login);
      const tokensRevoked = await revokeTokens(ctx.store.db, u.login);
      return { login: u.login, disabledAt: u.disabled_at!.toISOString(), tokensRevoked };
    },
    audit: (input) => ({ subjectType: 'user', subjectId: input.login }),
  }),
  defineOperation({
    name: 'users.token',
    method: 'POST',
    path: '/users/:login/tokens',
    summary: 'Issue an API token for an account (shown once)',
    roles: [],
    input: z.object({ login, label: z.string().max(100).default('cli') }),
    output: z.object({ login: z.string(), token: z.string(), prefix: z.string() }),
    async run(ctx, _actor, input) {
      const issued = await issueToken(ctx.store.db, input.login, input.label);
      return { login: issued.user.login, token: issued.token, prefix: issued.prefix };
    },
    // The token itself never reaches the log: only which prefix was issued to whom.
    audit: (input, output) => ({ subjectType: 'user', subjectId: input.login, detail: { prefix: output.prefix, label: input.label } }),
  }),
  defineOperation({
    name: 'notifications.list',
    method: 'GET',
    path: '/notifications',
    summary: 'Your notifications (paused channels, flagged sources, failed deliveries, deadlines), newest first',
    roles: ['admin', 'staff', 'lead', 'counselor'],
    input: z.object({ all: flag, limit: limit(500, 100) }),
    output: z.array(
      z.object({ id: z.number(), kind: z.string(), recipient: z.string(), subjectType: z.string(), subjectId: z.string(), message: z.string(), createdAt: time, resolvedAt: nullableTime, dismissedAt: nullableTime, dismissedBy: z.string().nullable() }),
    ),
    async run(ctx, actor, input) {
      const rows = await listNotificationsFor(ctx.store.db, actor, { all: input.all ?? false, limit: input.limit });
      return rows.map((n) => ({
        id: n.id,
        kind: n.kind,
        recipient: n.recipient,
        subjectType: n.subject_type,
        subjectId: n.subject_id,
        message: n.message,
        createdAt: n.created_at.toISOString(),
        resolvedAt: n.resolved_at?.toISOString() ?? null,
        dismissedAt: n.dismissed_at?.toISOString() ?? null,
        dismissedBy: n.dismissed_by,
      }));
    },
  }),
  defineOperation({
    name: 'notifications.dismiss',
    method: 'POST',
    path: '/notifications/:id/dismiss',
    summary: 'Dismiss one of your notifications',
    roles: ['admin', 'staff', 'lead', 'counselor'],
    input: z.object({ id }),
    output: z.object({ id: z.number(), dismissed: z.boolean() }),
    async run(ctx, actor, input) {
      if (!(await dismissNotification(ctx.store.db, actor, input.id))) throw new AppError('not_found', `notification ${input.id} is not one of your open notifications`);
      return { id: input.id, dismissed: true };
    },
    audit: (input) => ({ subjectType: 'notification', subjectId: input.id }),
  }),
  defineOperation({
    name: 'audit.list',
    method: 'GET',
    path: '/audit',
    summary: 'The audit log, newest first',
    roles: [],
    input: z.object({ actor: z.string().optional(), action: z.string().optional(), subjectType: z.string().optional(), subjectId: z.string().optional(), limit: limit(1000, 100) }),
    output: z.array(z.object({ id: z.number(), at: time, actor: z.string(), action: z.string(), subjectType: z.string(), subjectId: z.string(), detail: z.record(z.string(), z.unknown()) })),
    async run(ctx, _actor, input) {
      let query = ctx.store.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(input.limit);
      if (input.actor) query = query.where('actor', '=', input.actor);
      if (input.action) query = query.where('action', '=', input.action);
      if (input.subjectType) query = query.where('subject_type', '=', input.subjectType);
      if (input.subjectId) query = query.where('subject_id', '=', input.subjectId);
      const rows = await query.execute();
      return rows.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, subjectType: r.subject_type, subjectId: r.subject_id, detail: r.detail }));
    },
  }),
];
