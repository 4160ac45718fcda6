import { Option, type Command } from 'commander';
import { UsageError } from './errors.js';
import { clip, kst, table } from './format.js';

async function client<T>(fn: (c: import('./client.js').Client) => Promise<T>): Promise<T> {
  const { withClient } = await import('./client.js');
  return withClient(fn);
}

const ROLES = ['admin', 'staff', 'lead', 'counselor'] as const;
const ROLE_KO: Record<string, string> = { admin: '관리자', staff: '직원', lead: '팀장', counselor: '상담사' };

/** `ontact whoami`, `ontact users …`, `ontact notifications …` and `ontact audit`. */
export function registerAccountCommands(program: Command): void {
  program
    .command('whoami')
    .description('who ONTACT_TOKEN signs you in as')
    .action(async () => {
      await client(async (c) => {
        const me = await c.call<{ login: string; name: string; role: string; team: string | null }>('me');
        process.stdout.write(`${me.name} (${me.login}), ${ROLE_KO[me.role] ?? me.role}${me.team ? `, ${me.team}` : ''}${c.mode === 'server' ? ` — through ${c.url}` : ' — on the store directly'}\n`);
      });
    });

  const users = program.command('users').description('accounts and their API tokens (admins)');

  users
    .command('add')
    .description('add an account; a counselor or team lead signs in with their counselor id from inquiries.teams')
    .argument('<login>', 'e.g. kim.minji')
    .requiredOption('--name <name>', 'the person’s name, as staff know it')
    .addOption(new Option('--role <role>', 'what they may do').choices([...ROLES]).makeOptionMandatory())
    .option('--no-token', 'do not issue an API token now')
    .action(async (login: string, options: { name: string; role: string; token: boolean }) => {
      await client(async (c) => {
        const user = await c.call<{ login: string; role: string; token?: string }>('users.add', { login, name: options.name, role: options.role, token: options.token });
        process.stdout.write(`user ${user.login} added (${ROLE_KO[user.role]})\n`);
        if (user.token) process.stdout.write(`API token (shown once; keep it secret): ${user.token}\nuse it with: export ONTACT_TOKEN=${user.token}\n`);
      });
    });

  users
    .command('list')
    .description('every account, with its role and how many tokens it has')
    .action(async () => {
      await client(async (c) => {
        const rows = await c.call<{ login: string; name: string; role: string; createdAt: string; disabledAt: string | null; tokens: number }[]>('users.list');
        process.stdout.write(`${table(['login', 'name', 'role', 'tokens', 'created', 'disabled'], rows.map((u) => [u.login, u.name, ROLE_KO[u.role] ?? u.role, u.tokens, kst(u.createdAt), kst(u.disabledAt)]))}\n`);
      });
    });

  users
    .command('disable')
    .description('disable an account; its tokens stop working at once')
    .argument('<login>')
    .action(async (login: string) => {
      await client(async (c) => {
        const r = await c.call<{ login: string; tokensRevoked: number }>('users.disable', { login });
        process.stdout.write(`user ${r.login} disabled; ${r.tokensRevoked} token(s) revoked\n`);
      });
    });

  users
    .command('token')
    .description('issue a new API token for an account (shown once)')
    .argument('<login>')
    .option('--label <label>', 'what it is for', 'cli')
    .action(async (login: string, options: { label: string }) => {
      await client(async (c) => {
        const issued = await c.call<{ login: string; token: string }>('users.token', { login, label: options.label });
        process.stdout.write(`API token for ${issued.login} (shown once; keep it secret): ${issued.token}\n`);
      });
    });

  users
    .command('password')
    .description('set the console password of an account, read from stdin (typed twice, unseen, at a terminal)')
    .argument('<login>')
    .option('--temporary', 'they choose their own at their next sign-in')
    .option('--generate', 'make a temporary password and print it once instead of reading one')
    .action(async (login: string, options: { temporary?: boolean; generate?: boolean }) => {
      const password = options.generate ? undefined : await readNewPassword();
      await client(async (c) => {
        const r = await c.call<{ login: string; temporary: boolean; password?: string; sessionsEnded: number }>('users.password', {
          login,
          ...(password !== undefined ? { password } : { generate: true }),
          ...(options.temporary ? { temporary: true } : {}),
        });
        process.stdout.write(`password of ${r.login} set${r.temporary ? ' (temporary: they choose their own at their next sign-in)' : ''}; ${r.sessionsEnded} console session(s) ended\n`);
        if (r.password) process.stdout.write(`temporary password (shown once; hand it over in person): ${r.password}\n`);
      });
    });

  const notifications = program.command('notifications').description('what needs your attention: paused channels, flagged sources, failed deliveries, deadlines');

  notifications
    .command('list')
    .description('your open notifications, newest first')
    .option('--all', 'include resolved and dismissed ones')
    .action(async (options: { all?: boolean }) => {
      await client(async (c) => {
        const rows = await c.call<{ id: number; kind: string; message: string; createdAt: string; resolvedAt: string | null; dismissedAt: string | null }[]>('notifications.list', { ...(options.all ? { all: true } : {}) });
        process.stdout.write(`${rows.length ? table(['id', 'at', 'kind', 'state', 'message'], rows.map((n) => [n.id, kst(n.createdAt), n.kind, n.resolvedAt ? 'resolved' : n.dismissedAt ? 'dismissed' : 'open', clip(n.message, 100)])) : 'nothing needs your attention'}\n`);
      });
    });

  notifications
    .command('dismiss')
    .description('dismiss one of your notifications')
    .argument('<id>', 'the notification id')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) throw new UsageError(`expected a notification number, got "${id}"`);
      await client(async (c) => {
        await c.call('notifications.dismiss', { id: Number(id) });
        process.stdout.write(`notification ${id} dismissed\n`);
      });
    });

  program
    .command('audit')
    .description('the audit log, newest first (admins)')
    .option('--actor <actor>', 'only this actor, e.g. counselor:kim.minji')
    .option('--action <action>', 'only this action, e.g. post.cancel')
    .option('--subject <type:id>', 'only this subject, e.g. post:12 or inquiry:7')
    .option('--limit <n>', 'how many', '100')
    .action(async (options: { actor?: string; action?: string; subject?: string; limit: string }) => {
      const [subjectType, subjectId] = options.subject ? options.subject.split(':') : [];
      if (options.subject && (!subjectType || !subjectId)) throw new UsageError(`--subject: expected type:id such as post:12, got "${options.subject}"`);
      await client(async (c) => {
        const rows = await c.call<{ at: string; actor: string; action: string; subjectType: string; subjectId: string; detail: Record<string, unknown> }[]>('audit.list', {
          limit: options.limit,
          ...(options.actor ? { actor: options.actor } : {}),
          ...(options.action ? { action: options.action } : {}),
          ...(subjectType ? { subjectType, subjectId } : {}),
        });
        process.stdout.write(`${rows.length ? table(['at', 'actor', 'action', 'subject', 'detail'], rows.map((r) => [kst(r.at), r.actor, r.action, `${r.subjectType}:${r.subjectId}`, clip(JSON.stringify(r.detail), 80)])) : 'nothing in the audit log matches'}\n`);
      });
    });
}

/**
 * The new password from stdin: at a terminal, typed twice without being shown; otherwise the
 * first line of what is piped in (`printf '%s\n' "$PW" | ontact users password kim`).
 */
async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += String(chunk);
    const first = input.split(/\r?\n/)[0] ?? '';
    if (first === '') throw new UsageError('no password on stdin: pipe one line in, or run this at a terminal to type it');
    return first;
  }
  const first = await promptHidden('new password: ');
  const second = await promptHidden('again: ');
  if (first !== second) throw new UsageError('the two passwords differ; nothing was changed');
  if (first === '') throw new UsageError('the password is empty; nothing was changed');
  return first;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled; nothing was changed'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
