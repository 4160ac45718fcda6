import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { AppContext } from '../app/context.js';
import type { InquiryDetail, InquiryFilter, InquirySummary } from '../inquiries/queries.js';
import { displayText, excerpt as excerptSync } from '../inquiries/text.js';
import { parseKstInput } from '../time/kst.js';
import { UsageError } from './errors.js';
import { kst, table } from './format.js';

const STATUSES = ['active', 'all', 'new', 'open', 'answered', 'closed', 'spam'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const PRIORITY_KO: Record<string, string> = { urgent: '긴급', high: '높음', normal: '보통', low: '낮음' };
const SHOW_LIMIT = 2000;

/**
 * Runs an inquiry command with the store and queues open. Refusals from the services (unknown
 * inquiry, another team's reveal, a closed inquiry) are one plain line: exit 2 for bad input, 1 otherwise.
 */
async function run<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T | undefined> {
  const { withContext } = await import('./context.js');
  try {
    return await withContext(fn);
  } catch (error) {
    if (error instanceof Error && (error.name === 'InquiryError' || error.name === 'InboundEventError')) {
      process.stderr.write(`ontact: ${error.message}\n`);
      process.exitCode = (error as { kind?: string }).kind === 'invalid' || error.name === 'InboundEventError' ? 2 : 1;
      return undefined;
    }
    throw error;
  }
}

function inquiryId(value: string): number {
  if (!/^#?\d{1,9}$/.test(value.trim())) throw new UsageError(`expected an inquiry number such as 12, got "${value}"`);
  return Number(value.trim().replace('#', ''));
}

function actor(options: { as?: string }): string | undefined {
  return options.as ?? process.env.ONTACT_COUNSELOR ?? undefined;
}

const asOption = () => new Option('--as <counselor>', 'your counselor id (default: $ONTACT_COUNSELOR)');

function collect(value: string, previous: Record<string, string>): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new UsageError(`--set: expected name=value, got "${value}"`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1) };
}

/** `ontact inquiries …` and `ontact report`. */
export function registerInquiryCommands(program: Command): void {
  const inquiries = program.command('inquiries').description("citizens' inquiries: the counselors' queue (list, show, claim, reply, close …)");

  inquiries
    .command('list')
    .description('inquiries, most urgent first (default: not yet closed)')
    .option('--team <name>', 'only this team (e.g. 취업지원팀)')
    .addOption(new Option('--status <status>', 'only this status').choices(STATUSES).default('active'))
    .addOption(new Option('--priority <priority>', 'only this priority').choices(PRIORITIES))
    .option('--overdue', 'only unanswered inquiries past their deadline')
    .option('--unassigned', 'only inquiries no counselor has yet')
    .option('--needs-human', 'only inquiries triage could not route (the "needs a human" view)')
    .option('--mine', 'only inquiries assigned to you (with --as)')
    .addOption(asOption())
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (options: { team?: string; status: (typeof STATUSES)[number]; priority?: (typeof PRIORITIES)[number]; overdue?: boolean; unassigned?: boolean; needsHuman?: boolean; mine?: boolean; as?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${options.limit}"`);
      await run(async (ctx) => {
        const { listInquiries, listNotifications } = await import('../inquiries/queries.js');
        const { requireCounselor } = await import('../inquiries/teams.js');
        const me = options.mine || options.as ? requireCounselor(ctx.config, actor(options)) : undefined;
        const filter: InquiryFilter = {
          status: options.status,
          limit,
          ...(options.team ? { team: options.team } : {}),
          ...(options.priority ? { priority: options.priority } : {}),
          ...(options.overdue ? { overdue: true } : {}),
          ...(options.unassigned ? { unassigned: true } : {}),
          ...(options.needsHuman ? { needsHuman: true } : {}),
          ...(options.mine && me ? { assignee: me.id } : {}),
        };
        const rows = await listInquiries(ctx, filter);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (me) {
          const unread = await listNotifications(ctx, me.id, { unreadOnly: true, limit: 10 });
          for (const n of unread) process.stdout.write(`[${n.kind === 'escalation' ? '기한 초과' : '기한 알림'}] ${n.message}\n`);
          if (unread.length > 0) process.stdout.write('\n');
        }
        process.stdout.write(`${rows.length ? formatList(ctx, rows) : 'no inquiries match'}\n`);
      });
    });

  inquiries
    .command('show')
    .description('one inquiry with its conversation, replies (and their delivery status), notes and history')
    .argument('<id>', 'the inquiry number')
    .option('--full', `print the whole text (otherwise the first ${SHOW_LIMIT.toLocaleString('en-US')} characters)`)
    .option('--json', 'print JSON')
    .action(async (id: string, options: { full?: boolean; json?: boolean }) => {
      const n = inquiryId(id);
      await run(async (ctx) => {
        const { showInquiry } = await import('../inquiries/queries.js');
        const detail = await showInquiry(ctx, n);
        process.stdout.write(options.json ? `${JSON.stringify(detail, null, 2)}\n` : `${formatDetail(ctx, detail, options.full ?? false)}\n`);
      });
    });

  inquiries
    .command('add')
    .description('log a phone or walk-in inquiry (it is masked, triaged and routed like any other)')
    .addOption(new Option('--channel <channel>', 'how it came in').choices(['phone', 'walk_in']).default('phone'))
    .requiredOption('--text <text>', 'what the citizen asked')
    .option('--name <name>', "the citizen's name, if given")
    .option('--caller <ref>', 'a reference that groups calls from the same person (not the phone number itself)')
    .option('--at <time>', 'when it came in, KST (e.g. "2026-11-27 10:30"); now when omitted')
    .action(async (options: { channel: 'phone' | 'walk_in'; text: string; name?: string; caller?: string; at?: string }) => {
      const at = options.at === undefined ? new Date() : parseKstInput(options.at);
      if (!at) throw new UsageError(`--at: expected a KST time such as "2026-11-27 10:30", got "${options.at}"`);
      await run(async (ctx) => {
        const { receiveInbound } = await import('../inquiries/intake.js');
        const id = randomUUID();
        const result = await receiveInbound(ctx, {
          channel: options.channel,
          platformId: `staff-${id}`,
          threadRef: null,
          authorId: options.caller ? `caller:${options.caller}` : `caller:${id}`,
          authorName: options.name ?? null,
          text: options.text,
          attachments: [],
          at,
        });
        process.stdout.write(`inquiry #${result.inquiryId} logged${result.personalDataKinds.length ? ` (personal data masked: ${result.personalDataKinds.join(', ')})` : ''}; queued for triage\n`);
      });
    });

  inquiries
    .command('claim')
    .description('take an inquiry on yourself (it moves to your team)')
    .argument('<id>', 'the inquiry number')
    .addOption(asOption())
    .action(async (id: string, options: { as?: string }) => {
      const n = inquiryId(id);
      await run(async (ctx) => {
        const { claimInquiry } = await import('../inquiries/actions.js');
        const inquiry = await claimInquiry(ctx, n, actor(options) ?? '');
        process.stdout.write(`inquiry #${inquiry.id} is yours (${inquiry.team})\n`);
      });
    });

  inquiries
    .command('assign')
    .description('give an inquiry to a counselor (and their team)')
    .argument('<id>', 'the inquiry number')
    .argument('<counselor>', 'the counselor id')
    .addOption(asOption())
    .action(async (id: string, to: string, options: { as?: string }) => {
      const n = inquiryId(id);
      await run(async (ctx) => {
        const { assignInquiry } = await import('../inquiries/actions.js');
        const inquiry = await assignInquiry(ctx, n, to, actor(options) ?? '');
        process.stdout.write(`inquiry #${inquiry.id} assigned to ${to} (${inquiry.team})\n`);
      });
    });

  inquiries
    .command('reply')
    .description('answer the citizen on the channel they used (free text or a canned answer); phone and walk-in replies are recorded as given in person')
    .argument('<id>', 'the inquiry number')
    .addOption(asOption())
    .option('--text <text>', 'the reply')
    .option('--canned <name>', 'a canned answer from templates/replies/canned (see `ontact inquiries canned`)')
    .option('--set <name=value>', 'a value for a canned answer placeholder (repeatable)', collect, {})
    .option('--private', 'reply by private message instead of in the public thread')
    .option('--public', 'reply in the public thread')
    .option('--wait [seconds]', 'wait for the delivery result (default 20 s)')
    .action(async (id: string, options: { as?: string; text?: string; canned?: string; set: Record<string, string>; private?: boolean; public?: boolean; wait?: boolean | string }) => {
      const n = inquiryId(id);
      if (options.private && options.public) throw new UsageError('--private and --public exclude each other');
      if ((options.text === undefined) === (options.canned === undefined)) throw new UsageError('give the reply with --text or --canned (one of them)');
      const waitSeconds = options.wait === undefined ? 0 : options.wait === true ? 20 : Number(options.wait);
      if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait: expected seconds, got "${String(options.wait)}"`);
      await run(async (ctx) => {
        const { replyToInquiry } = await import('../inquiries/replies.js');
        const outcome = await replyToInquiry(ctx, {
          inquiryId: n,
          as: actor(options) ?? '',
          ...(options.text !== undefined ? { text: options.text } : {}),
          ...(options.canned !== undefined ? { canned: options.canned, values: options.set } : {}),
          ...(options.private ? { visibility: 'private' as const } : options.public ? { visibility: 'public' as const } : {}),
        });
        if (outcome.status === 'in_person') {
          process.stdout.write(`reply #${outcome.replyId} recorded as given in person; inquiry #${n} is answered\n`);
          return;
        }
        let status: string = outcome.status;
        let error: string | null = null;
        const until = Date.now() + waitSeconds * 1000;
        while (['queued', 'sending', 'retrying'].includes(status) && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 250));
          const row = await ctx.store.db.selectFrom('inquiry_replies').select(['status', 'error']).where('id', '=', outcome.replyId).executeTakeFirstOrThrow();
          status = row.status;
          error = row.error;
        }
        process.stdout.write(`reply #${outcome.replyId}: ${status}${error ? ` (${error})` : ''}${status === 'queued' ? ' — a worker delivers it; see `ontact inquiries show ' + n + '`' : ''}\n`);
        if (status === 'failed') process.exitCode = 1;
      });
    });

  inquiries
    .command('note')
    .description('add an internal note (staff only, never sent to the citizen)')
    .argument('<id>', 'the inquiry number')
    .addOption(asOption())
    .requiredOption('--text <text>', 'the note')
    .action(async (id: string, options: { as?: string; text: string }) => {
      const n = inquiryId(id);
      await run(async (ctx) => {
        const { addNote } = await import('../inquiries/actions.js');
        const noteId = await addNote(ctx, n, actor(options) ?? '', options.text);
        process.stdout.write(`note #${noteId} added to inquiry #${n}\n`);
      });
    });

  for (const [name, description] of [
    ['close', 'close an inquiry (its deadline reminders stop)'],
    ['reopen', 'reopen a closed inquiry'],
  ] as const) {
    inquiries
      .command(name)
      .description(description)
      .argument('<id>', 'the inquiry number')
      .addOption(asOption())
      .action(async (id: string, options: { as?: string }) => {
        const n = inquiryId(id);
        await run(async (ctx) => {
          const actions = await import('../inquiries/actions.js');
          const inquiry = name === 'close' ? await actions.closeInquiry(ctx, n, actor(options) ?? '') : await actions.reopenInquiry(ctx, n, actor(options) ?? '');
          process.stdout.write(`inquiry #${inquiry.id} is ${inquiry.status}\n`);
        });
      });
  }

  inquiries
    .command('spam')
    .description('mark an inquiry as spam (out of every queue), or restore it with --not')
    .argument('<id>', 'the inquiry number')
    .addOption(asOption())
    .option('--not', 'it is not spam: put it back in the unassigned view')
    .action(async (id: string, options: { as?: string; not?: boolean }) => {
      const n = inquiryId(id);
      await run(async (ctx) => {
        const { markSpam } = await import('../inquiries/actions.js');
        const inquiry = await markSpam(ctx, n, actor(options) ?? '', !options.not);
        process.stdout.write(`inquiry #${inquiry.id} is ${inquiry.status}\n`);
      });
    });

  inquiries
    .command('reveal')
    .description("show the original text before masking (assigned team only; every reveal is audited)")
    .argument('<id>', 'the inquiry number')
    .addOption(asOption())
    .requiredOption('--reason <why>', 'why you need it (kept in the audit log)')
    .action(async (id: string, options: { as?: string; reason: string }) => {
      const n = inquiryId(id);
      await run(async (ctx) => {
        const { revealOriginal } = await import('../inquiries/reveal.js');
        const { displayText } = await import('../inquiries/text.js');
        const text = await revealOriginal(ctx, { inquiryId: n, as: actor(options) ?? '', reason: options.reason });
        process.stdout.write(`original of inquiry #${n} (this reveal is logged):\n${displayText(text)}\n`);
      });
    });

  inquiries
    .command('canned')
    .description('the canned answers in templates/replies/canned and the --set values each needs')
    .action(async () => {
      const { loadConfig } = await import('../config/load.js');
      const { resolvedPaths } = await import('../config/paths.js');
      const { ReplyTemplates } = await import('../inquiries/reply-templates.js');
      const answers = new ReplyTemplates(resolvedPaths(loadConfig().config).templates).listCannedAnswers();
      process.stdout.write(`${answers.length ? table(['name', 'about', 'needs'], answers.map((a) => [a.name, a.description, a.needs.map((n) => `--set ${n}=…`).join(' ') || '-'])) : 'no canned answers in templates/replies/canned'}\n`);
    });

  program
    .command('report')
    .description('inquiries of a month (KST): by topic, team and channel, median first-response time in business hours, overdue count')
    .requiredOption('--month <YYYY-MM>', 'the month, e.g. 2026-11')
    .option('--json', 'print JSON')
    .action(async (options: { month: string; json?: boolean }) => {
      if (!/^\d{4}-\d{2}$/.test(options.month.trim())) throw new UsageError(`--month: expected a month as YYYY-MM (e.g. 2026-11), got "${options.month}"`);
      await run(async (ctx) => {
        const { monthlyReport } = await import('../inquiries/report.js');
        const report = await monthlyReport(ctx, options.month);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        const section = (title: string, counts: Record<string, number>) =>
          `${title}\n${Object.keys(counts).length ? table(['', 'inquiries'], Object.entries(counts).sort((a, b) => b[1] - a[1])) : '(none)'}`;
        process.stdout.write(
          [
            `Inquiries, ${report.month} (KST)`,
            `received: ${report.received} (spam ${report.spam})`,
            `answered: ${report.answered}`,
            `median first response: ${report.medianFirstResponseHours === null ? '-' : `${report.medianFirstResponseHours} business hours`}`,
            `overdue (answered late or still unanswered past the deadline): ${report.overdue}`,
            `unassigned: ${report.unassigned}`,
            '',
            section('by topic', report.byTopic),
            '',
            section('by team', report.byTeam),
            '',
            section('by channel', report.byChannel),
          ].join('\n') + '\n',
        );
      });
    });
}

function who(ctx: AppContext, id: string | null): string {
  if (!id) return '-';
  const c = ctx.config.inquiries.teams.flatMap((t) => t.counselors).find((x) => x.id === id);
  return c ? `${c.name}(${c.id})` : id;
}

function formatList(ctx: AppContext, rows: InquirySummary[]): string {
  return table(
    ['#', 'priority', 'status', 'team', 'assignee', 'channel', 'received', 'due', 'text (masked)'],
    rows.map((r) => [
      r.id,
      r.priority ? `${r.priority} ${PRIORITY_KO[r.priority]}` : '-',
      r.needsHuman && r.status === 'open' ? 'open·needs human' : r.status,
      r.team,
      who(ctx, r.assignee),
      r.channel,
      kst(r.receivedAt),
      r.dueAt ? `${kst(r.dueAt)}${r.overdue ? ' OVERDUE' : ''}` : '-',
      excerptSync(r.maskedText),
    ]),
  );
}

function formatDetail(ctx: AppContext, d: InquiryDetail, full: boolean): string {
  const lines: string[] = [];
  const body = full || d.maskedText.length <= SHOW_LIMIT ? d.maskedText : `${d.maskedText.slice(0, SHOW_LIMIT)}\n… (${(d.maskedText.length - SHOW_LIMIT).toLocaleString('en-US')} more characters; --full shows all)`;
  lines.push(`Inquiry #${d.id}  [${d.status}${d.priority ? ` · ${d.priority} ${PRIORITY_KO[d.priority]}` : ''} · ${d.team ?? 'no team'} / ${who(ctx, d.assignee)}]${d.needsHuman && d.status === 'open' ? '  NEEDS A HUMAN (triage could not route it)' : ''}`);
  lines.push(`channel: ${d.channel}${d.exposedPersonalData ? ' (public)' : ''} · from: ${d.authorName === null ? '-' : displayText(d.authorName)} · received ${kst(d.receivedAt)}`);
  if (d.topic) lines.push(`topic: ${d.topic} (confidence ${d.confidence ?? 0}) · audiences: ${d.audiences.join(', ') || '-'} · language: ${d.language ?? '-'}`);
  lines.push(`deadline: ${kst(d.dueAt)}${d.overdue ? ' OVERDUE' : ''} · first response: ${kst(d.firstResponseAt)}${d.escalatedAt ? ` · escalated ${kst(d.escalatedAt)}` : ''}`);
  if (d.personalDataKinds.length > 0) {
    const original = d.hasOriginal ? `original sealed (\`ontact inquiries reveal ${d.id} --reason …\`, assigned team only)` : d.originalDropped ? 'original deleted' : 'original not stored (no data key)';
    lines.push(`personal data: ${d.personalDataKinds.join(', ')} masked; ${original}${d.exposedPersonalData ? `; posted publicly${d.hiddenAt ? `, hidden ${kst(d.hiddenAt)}` : ', not hidden'}` : ''}`);
  }
  if (d.event.attachments.length) lines.push(`attachments: ${d.event.attachments.map((a) => displayText(a.name ?? a.type)).join(', ')}`);
  if (d.event.removedAt) lines.push(`the citizen removed this message ${kst(d.event.removedAt)}`);
  if (d.anonymised) lines.push('anonymised by retention');
  lines.push('', 'text (masked):', indent(displayText(body) || '(empty)'));
  if (d.conversation.length > 1) {
    lines.push('', `conversation #${d.conversationId} (${d.conversation.length} messages):`);
    for (const m of d.conversation) lines.push(`  ${m.id === d.id ? '▶' : ' '} #${m.id}  ${kst(m.receivedAt)}  ${m.inquiryStatus}${m.removed ? ' (removed)' : ''}  ${excerptSync(m.maskedText, 50)}`);
  }
  lines.push('', `replies (${d.replies.length}):`);
  for (const r of d.replies) {
    const status = r.status === 'failed' ? `FAILED: ${r.error ?? 'no reason recorded'}` : r.status === 'retrying' ? `retrying (${r.error ?? ''})` : r.status === 'sent' ? `sent ${kst(r.sentAt)}` : r.status;
    lines.push(`  #${r.id} ${{ ack: 'acknowledgement', answer: 'answer', notice: 'public note' }[r.kind]} to #${r.inquiryId} by ${r.author}${r.canned ? ` (canned: ${r.canned})` : ''}, ${r.visibility} — ${status}`);
    lines.push(indent(displayText(r.text), '      '));
  }
  if (d.notes.length) {
    lines.push('', 'notes (internal):');
    for (const n of d.notes) lines.push(`  ${kst(n.createdAt)} ${n.author}: ${displayText(n.text)}`);
  }
  lines.push('', 'history:');
  for (const h of d.history) lines.push(`  ${kst(h.at)}  ${h.action}  by ${h.actor}${Object.keys(h.detail).length ? `  ${JSON.stringify(h.detail)}` : ''}`);
  return lines.join('\n');
}

function indent(text: string, pad = '  '): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
