import { Option, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { InquiryDetail, InquirySummary } from '../inquiries/queries.js';
import { actorWords, describeHistoryEntry } from '../inquiries/history.js';
import { labelOf, PRIORITY_LABEL } from '../inquiries/labels.js';
import type { MonthlyReport } from '../inquiries/report.js';
import { displayText, excerpt as excerptSync } from '../inquiries/text.js';
import type { Config } from '../config/schema.js';
import { parseKstInput } from '../time/kst.js';
import { AUDIENCES, TOPICS } from '../triage/rules.js';
import { UsageError } from './errors.js';
import { kst, table } from './format.js';

const STATUSES = ['active', 'all', 'new', 'open', 'answered', 'closed', 'spam'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const SHOW_LIMIT = 2000;

/** What the API sends: the services' records with times as ISO strings. */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
type Summary = Json<InquirySummary>;
type Detail = Omit<Json<InquiryDetail>, 'conversation' | 'replies' | 'notes' | 'history' | 'event' | 'triage'> & {
  triage: InquiryDetail['triage'];
  event: Json<InquiryDetail['event']>;
  conversation: Json<InquiryDetail['conversation'][number]>[];
  replies: Json<InquiryDetail['replies'][number]>[];
  notes: Json<InquiryDetail['notes'][number]>[];
  history: Json<InquiryDetail['history'][number]>[];
};

async function client<T>(fn: (c: import('./client.js').Client, config: Config) => Promise<T>): Promise<T> {
  const { withClient } = await import('./client.js');
  const { loadConfig } = await import('../config/load.js');
  const { config } = loadConfig();
  return withClient((c) => fn(c, config));
}

function inquiryId(value: string): number {
  if (!/^#?\d{1,9}$/.test(value.trim())) throw new UsageError(`expected an inquiry number such as 12, got "${value}"`);
  return Number(value.trim().replace('#', ''));
}

function collect(value: string, previous: Record<string, string>): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new UsageError(`--set: expected name=value, got "${value}"`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1) };
}

/** `ontact inquiries …` and `ontact report`. Who is acting is the signed-in user (ONTACT_TOKEN). */
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
    .option('--mine', 'only inquiries assigned to you')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (options: { team?: string; status: string; priority?: string; overdue?: boolean; unassigned?: boolean; needsHuman?: boolean; mine?: boolean; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${options.limit}"`);
      await client(async (c, config) => {
        const rows = await c.call<Summary[]>('inquiries.list', {
          status: options.status,
          limit,
          ...(options.team ? { team: options.team } : {}),
          ...(options.priority ? { priority: options.priority } : {}),
          ...(options.overdue ? { overdue: true } : {}),
          ...(options.unassigned ? { unassigned: true } : {}),
          ...(options.needsHuman ? { needsHuman: true } : {}),
          ...(options.mine ? { mine: true } : {}),
        });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const notices = await c.call<{ kind: string; message: string }[]>('notifications.list', { limit: 10 });
        for (const n of notices) process.stdout.write(`[${NOTICE_LABEL[n.kind] ?? n.kind}] ${n.message}\n`);
        if (notices.length > 0) process.stdout.write('\n');
        process.stdout.write(`${rows.length ? formatList(config, rows) : 'no inquiries match'}\n`);
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
      await client(async (c, config) => {
        const detail = await c.call<Detail>('inquiries.get', { id: n });
        process.stdout.write(options.json ? `${JSON.stringify(detail, null, 2)}\n` : `${formatDetail(config, detail, options.full ?? false)}\n`);
      });
    });

  inquiries
    .command('add')
    .description('log a phone or walk-in inquiry (it is masked, triaged and routed like any other)')
    .addOption(new Option('--channel <channel>', 'how it came in').choices(['phone', 'walk-in', 'walk_in']).default('phone'))
    .requiredOption('--text <text>', 'what the citizen asked')
    .option('--name <name>', "the citizen's name, if given")
    .option('--caller <ref>', 'a reference that groups calls from the same person (not the phone number itself)')
    .option('--at <time>', 'when it came in, KST (e.g. "2026-11-27 10:30"); now when omitted')
    .action(async (options: { channel: string; text: string; name?: string; caller?: string; at?: string }) => {
      const at = options.at === undefined ? undefined : parseKstInput(options.at);
      if (at === null) throw new UsageError(`--at: expected a KST time such as "2026-11-27 10:30", got "${options.at}"`);
      await client(async (c) => {
        const result = await c.call<{ id: number; personalDataKinds: string[] }>('inquiries.add', {
          channel: options.channel === 'phone' ? 'phone' : 'walk_in',
          text: options.text,
          ...(options.name ? { name: options.name } : {}),
          ...(options.caller ? { caller: options.caller } : {}),
          ...(at ? { at: at.toISOString() } : {}),
        });
        process.stdout.write(`inquiry #${result.id} logged${result.personalDataKinds.length ? ` (personal data masked: ${result.personalDataKinds.join(', ')})` : ''}; queued for triage\n`);
      });
    });

  inquiries
    .command('claim')
    .description('take an inquiry on yourself (it moves to your team)')
    .argument('<id>', 'the inquiry number')
    .action(async (id: string) => {
      const n = inquiryId(id);
      await client(async (c) => {
        const inquiry = await c.call<{ id: number; team: string | null }>('inquiries.claim', { id: n });
        process.stdout.write(`inquiry #${inquiry.id} is yours (${inquiry.team})\n`);
      });
    });

  inquiries
    .command('assign')
    .description('give an inquiry to a counselor and their team (team leads)')
    .argument('<id>', 'the inquiry number')
    .argument('<counselor>', 'the counselor id')
    .action(async (id: string, to: string) => {
      const n = inquiryId(id);
      await client(async (c) => {
        const inquiry = await c.call<{ id: number; team: string | null }>('inquiries.assign', { id: n, to });
        process.stdout.write(`inquiry #${inquiry.id} assigned to ${to} (${inquiry.team})\n`);
      });
    });

  inquiries
    .command('reply')
    .description('answer the citizen on the channel they used (free text or a canned answer); phone and walk-in replies are recorded as given in person')
    .argument('<id>', 'the inquiry number')
    .option('--text <text>', 'the reply')
    .option('--canned <name>', 'a canned answer from templates/replies/canned (see `ontact inquiries canned`)')
    .option('--set <name=value>', 'a value for a canned answer placeholder (repeatable)', collect, {})
    .option('--private', 'reply by private message instead of in the public thread')
    .option('--public', 'reply in the public thread')
    .option('--wait [seconds]', 'wait for the delivery result (default 20 s)')
    .action(async (id: string, options: { text?: string; canned?: string; set: Record<string, string>; private?: boolean; public?: boolean; wait?: boolean | string }) => {
      const n = inquiryId(id);
      if (options.private && options.public) throw new UsageError('--private and --public exclude each other');
      if ((options.text === undefined) === (options.canned === undefined)) throw new UsageError('give the reply with --text or --canned (one of them)');
      const waitSeconds = options.wait === undefined ? 0 : options.wait === true ? 20 : Number(options.wait);
      if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait: expected seconds, got "${String(options.wait)}"`);
      await client(async (c) => {
        const outcome = await c.call<{ replyId: number; status: string }>('inquiries.reply', {
          id: n,
          ...(options.text !== undefined ? { text: options.text } : {}),
          ...(options.canned !== undefined ? { canned: options.canned, values: options.set } : {}),
          ...(options.private ? { visibility: 'private' } : options.public ? { visibility: 'public' } : {}),
        });
        if (outcome.status === 'in_person') {
          process.stdout.write(`reply #${outcome.replyId} recorded as given in person; inquiry #${n} is answered\n`);
          return;
        }
        let status = outcome.status;
        let error: string | null = null;
        const until = Date.now() + waitSeconds * 1000;
        while (['queued', 'sending', 'retrying'].includes(status) && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 250));
          const row = await c.call<{ status: string; error: string | null }>('replies.get', { id: outcome.replyId });
          status = row.status;
          error = row.error;
        }
        process.stdout.write(`reply #${outcome.replyId}: ${status}${error ? ` (${error})` : ''}${status === 'queued' ? ` — a worker delivers it; see \`ontact inquiries show ${n}\`` : ''}\n`);
        if (status === 'failed') process.exitCode = 1;
      });
    });

  inquiries
    .command('note')
    .description('add an internal note (staff only, never sent to the citizen)')
    .argument('<id>', 'the inquiry number')
    .requiredOption('--text <text>', 'the note')
    .action(async (id: string, options: { text: string }) => {
      const n = inquiryId(id);
      await client(async (c) => {
        const { noteId } = await c.call<{ noteId: number }>('inquiries.note', { id: n, text: options.text });
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
      .action(async (id: string) => {
        const n = inquiryId(id);
        await client(async (c) => {
          const inquiry = await c.call<{ id: number; status: string }>(`inquiries.${name}`, { id: n });
          process.stdout.write(`inquiry #${inquiry.id} is ${inquiry.status}\n`);
        });
      });
  }

  inquiries
    .command('spam')
    .description('mark an inquiry as spam (out of every queue), or restore it with --not')
    .argument('<id>', 'the inquiry number')
    .option('--not', 'it is not spam: put it back in the unassigned view')
    .action(async (id: string, options: { not?: boolean }) => {
      const n = inquiryId(id);
      await client(async (c) => {
        const inquiry = await c.call<{ id: number; status: string }>('inquiries.spam', { id: n, ...(options.not ? { not: true } : {}) });
        process.stdout.write(`inquiry #${inquiry.id} is ${inquiry.status}\n`);
      });
    });

  inquiries
    .command('correct')
    .description("correct the triage: what the topic, priority or audiences should have been (kept as an example triage learns from; `spam` and `spam --not` are corrections too)")
    .argument('<id>', 'the inquiry number')
    .addOption(new Option('--topic <topic>', 'the right topic (a new topic moves it to the team that owns it)').choices(TOPICS))
    .addOption(new Option('--priority <priority>', 'the right priority (sets the deadline again while unanswered)').choices(PRIORITIES))
    .option('--audiences <list>', `the audiences it concerns, comma-separated (${AUDIENCES.join(', ')}), or "none"`)
    .action(async (id: string, options: { topic?: string; priority?: string; audiences?: string }) => {
      const n = inquiryId(id);
      const audiences = options.audiences === undefined ? undefined : parseAudiences(options.audiences);
      if (options.topic === undefined && options.priority === undefined && audiences === undefined) throw new UsageError('say what triage should have said: --topic, --priority or --audiences');
      await client(async (c, config) => {
        const row = await c.call<{ id: number; status: string; team: string | null; assignee: string | null; topic: string | null; priority: string | null; dueAt: string | null }>('inquiries.correct', {
          id: n,
          ...(options.topic ? { topic: options.topic } : {}),
          ...(options.priority ? { priority: options.priority } : {}),
          ...(audiences ? { audiences } : {}),
        });
        process.stdout.write(
          `inquiry #${row.id}: ${row.topic ?? '-'} · ${row.priority ? `${row.priority} ${labelOf(PRIORITY_LABEL, row.priority)}` : '-'} · ${row.team ?? 'no team'} / ${who(config, row.assignee)} · deadline ${kst(row.dueAt)}\nkept as a training example; \`ontact triage train\` (or the nightly retraining) learns from it\n`,
        );
      });
    });

  inquiries
    .command('reveal')
    .description("show the original text before masking (assigned team only; every reveal is audited)")
    .argument('<id>', 'the inquiry number')
    .requiredOption('--reason <why>', 'why you need it (kept in the audit log)')
    .action(async (id: string, options: { reason: string }) => {
      const n = inquiryId(id);
      await client(async (c) => {
        const { text } = await c.call<{ text: string }>('inquiries.reveal', { id: n, reason: options.reason });
        process.stdout.write(`original of inquiry #${n} (this reveal is logged):\n${displayText(text)}\n`);
      });
    });

  inquiries
    .command('canned')
    .description('the canned answers in templates/replies/canned and the --set values each needs')
    .action(async () => {
      await client(async (c) => {
        const answers = await c.call<{ name: string; description: string; needs: string[] }[]>('inquiries.canned');
        process.stdout.write(`${answers.length ? table(['name', 'about', 'needs'], answers.map((a) => [a.name, a.description, a.needs.map((n) => `--set ${n}=…`).join(' ') || '-'])) : 'no canned answers in templates/replies/canned'}\n`);
      });
    });

  program
    .command('report')
    .description('the monthly report (월간 보고서): inquiries of a month in KST by topic, team and channel, median first-response time in business hours, overdue count')
    .option('--month <YYYY-MM>', 'the month, e.g. 2026-11 (default: the previous month)')
    .option('--csv <file>', 'also write it as CSV (UTF-8, opens in Excel)')
    .option('--xlsx <file>', 'also write it as an Excel workbook')
    .option('--json', 'print JSON')
    .action(async (options: { month?: string; csv?: string; xlsx?: string; json?: boolean }) => {
      const month = options.month?.trim();
      if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month: expected a month as YYYY-MM (e.g. 2026-11), got "${options.month}"`);
      await client(async (c) => {
        const report = await c.call<MonthlyReport>('reports.monthly', month ? { month } : {});
        const { reportCsv, reportRows, reportXlsx } = await import('../inquiries/report.js');
        if (options.csv) writeFileSync(options.csv, reportCsv(report));
        if (options.xlsx) writeFileSync(options.xlsx, await reportXlsx(report));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        const rows = reportRows(report);
        const [, period] = rows[0]!;
        const lines = [`월간 보고서: ${period}`, ''];
        let section = '';
        for (const [name, item, value] of rows.slice(1)) {
          if (name !== section) {
            if (section !== '') lines.push('');
            lines.push(name);
            section = name;
          }
          lines.push(`  ${item}: ${typeof value === 'number' ? value.toLocaleString('ko-KR') : value}${name === '요약' || typeof value !== 'number' ? '' : '건'}`);
        }
        for (const file of [options.csv, options.xlsx]) if (file) lines.push('', `wrote ${file}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}

const NOTICE_LABEL: Record<string, string> = { inquiry_reminder: '기한 임박', inquiry_overdue: '기한 초과', channel_paused: '채널 중지', source_flagged: '소스 확인 필요', source_flood: '새 항목 급증', delivery_failed: '게시 실패' };

function who(config: Config, id: string | null): string {
  if (!id) return '-';
  const c = config.inquiries.teams.flatMap((t) => t.counselors).find((x) => x.id === id);
  return c ? `${c.name}(${c.id})` : id;
}

function formatList(config: Config, rows: Summary[]): string {
  return table(
    ['#', 'priority', 'status', 'team', 'assignee', 'channel', 'received', 'due', 'text (masked)'],
    rows.map((r) => [
      r.id,
      r.priority ? `${r.priority} ${labelOf(PRIORITY_LABEL, r.priority)}` : '-',
      r.needsHuman && r.status === 'open' ? 'open·needs human' : r.status,
      r.team,
      who(config, r.assignee),
      r.channel,
      kst(r.receivedAt),
      r.dueAt ? `${kst(r.dueAt)}${r.overdue ? ' OVERDUE' : ''}` : '-',
      excerptSync(r.maskedText),
    ]),
  );
}

function formatDetail(config: Config, d: Detail, full: boolean): string {
  const lines: string[] = [];
  const body = full || d.maskedText.length <= SHOW_LIMIT ? d.maskedText : `${d.maskedText.slice(0, SHOW_LIMIT)}\n… (${(d.maskedText.length - SHOW_LIMIT).toLocaleString('en-US')} more characters; --full shows all)`;
  lines.push(`Inquiry #${d.id}  [${d.status}${d.priority ? ` · ${d.priority} ${labelOf(PRIORITY_LABEL, d.priority)}` : ''} · ${d.team ?? 'no team'} / ${who(config, d.assignee)}]${d.needsHuman && d.status === 'open' ? '  NEEDS A HUMAN (triage could not route it)' : ''}`);
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
  lines.push(...formatTriage(d));
  if (d.conversation.length > 1) {
    lines.push('', `conversation #${d.conversationId} (${d.conversation.length} messages):`);
    for (const m of d.conversation) lines.push(`  ${m.id === d.id ? '▶' : ' '} #${m.id}  ${kst(m.receivedAt)}  ${m.inquiryStatus}${m.removed ? ' (removed)' : ''}  ${excerptSync(m.maskedText, 50)}`);
  }
  lines.push('', `replies (${d.replies.length}):`);
  for (const r of d.replies) {
    const status = r.status === 'failed' ? `FAILED: ${r.error ?? 'no reason recorded'}` : r.status === 'retrying' ? `retrying (${r.error ?? ''})` : r.status === 'sent' ? `sent ${kst(r.sentAt)}` : r.status;
    lines.push(`  #${r.id} ${{ ack: 'acknowledgement', answer: 'answer', notice: 'public note' }[r.kind]} to #${r.inquiryId} by ${actorWords(config, r.author)}${r.canned ? ` (canned: ${r.canned})` : ''}, ${r.visibility} — ${status}`);
    lines.push(indent(displayText(r.text), '      '));
  }
  if (d.notes.length) {
    lines.push('', 'notes (internal):');
    for (const n of d.notes) lines.push(`  ${kst(n.createdAt)} ${actorWords(config, n.author)}: ${displayText(n.text)}`);
  }
  lines.push('', 'history (KST):');
  for (const h of d.history) lines.push(`  ${kst(h.at)}  ${describeHistoryEntry(config, h)} — ${actorWords(config, h.actor)}`);
  return lines.join('\n');
}

function parseAudiences(value: string): string[] {
  if (value.trim() === 'none') return [];
  const list = value.split(',').map((a) => a.trim()).filter((a) => a !== '');
  const unknown = list.filter((a) => !(AUDIENCES as readonly string[]).includes(a));
  if (unknown.length > 0 || list.length === 0) throw new UsageError(`--audiences: expected some of ${AUDIENCES.join(', ')} (comma-separated) or "none", got "${value}"`);
  return [...new Set(list)];
}

const ENGINE: Record<string, string> = { model: 'the model', rules: 'the rules alone', hand: 'nobody (triage failed; a person decides)' };

function formatTriage(d: Detail): string[] {
  if (d.triage.engine === null) return [];
  const lines = ['', `triage by ${ENGINE[d.triage.engine] ?? d.triage.engine}${d.triage.explanations.length ? ', because of:' : ''}`];
  for (const e of d.triage.explanations) {
    const reasons = e.features.map((f) => `${f.feature} ${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(2)}`).join(', ');
    lines.push(`  ${e.facet} = ${e.label} (${e.confidence.toFixed(2)})${reasons ? `: ${reasons}` : ''}`);
  }
  if (d.status !== 'spam' && !d.anonymised) lines.push(`  wrong? \`ontact inquiries correct ${d.id} --topic … --priority …\` (or \`spam\`) and triage learns from it`);
  return lines;
}

function indent(text: string, pad = '  '): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
