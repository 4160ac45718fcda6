import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Argument, Option, type Command } from 'commander';
import { CHANNEL_NAMES, type ChannelName } from '../config/schema.js';
import { parseKstInput } from '../time/kst.js';
import { UsageError } from './errors.js';
import { clip, kst, table } from './format.js';
import type { PollOutcome } from '../api/ops/content.js';

const POST_STATUSES = ['draft', 'scheduled', 'publishing', 'published', 'partly_failed', 'failed', 'cancelled'] as const;
const KINDS = ['job', 'training', 'lecture', 'notice'] as const;

/** The client, loaded when a command runs so `--help` answers at once. */
async function client<T>(fn: (c: import('./client.js').Client) => Promise<T>): Promise<T> {
  const { withClient } = await import('./client.js');
  return withClient(fn);
}

interface PostSummary {
  id: number;
  kind: string;
  title: string | null;
  status: string;
  state: string;
  channels: string[];
  scheduledAt: string | null;
  note: string | null;
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

/** `ontact sources …`, `ontact items …`, `ontact posts …`, `ontact render …` and `ontact outbox …`. */
export function registerOutreachCommands(program: Command): void {
  const sources = program.command('sources').description('content sources: RSS/Atom feeds and the 고용24 job and training APIs');

  sources
    .command('list')
    .description('each configured source with its last poll, last error and failures')
    .action(async () => {
      await client(async (c) => {
        const rows = await c.call<{ name: string; type: string; everyMinutes: number; status: string; lastSuccessAt: string | null; lastError: string | null }[]>('sources.list');
        process.stdout.write(`${rows.length ? table(['name', 'type', 'every', 'status', 'last success', 'last error'], rows.map((r) => [r.name, r.type, `${r.everyMinutes} min`, r.status, kst(r.lastSuccessAt), clip(r.lastError, 60)])) : 'no sources are configured (see config/default.yaml, sources)'}\n`);
      });
    });

  sources
    .command('poll')
    .description('poll one source (or every configured source) now')
    .argument('[name]', 'the source to poll; all when omitted')
    .action(async (name: string | undefined) => {
      await client(async (c) => {
        const outcomes = await c.call<PollOutcome[]>('sources.poll', name ? { name } : {});
        for (const o of outcomes) {
          switch (o.status) {
            case 'ok':
              process.stdout.write(`${o.source}: ${o.created} new, ${o.changed} changed, ${o.unchanged} unchanged, ${o.postsPlanned} post(s) planned${o.skipped?.length ? `; ${o.skipped.length} item(s) skipped` : ''}\n`);
              if (o.flood) {
                process.stdout.write(`  held: ${o.flood.newItems} new items at once, more than the source's limit of ${o.flood.limit} (maxNewItemsPerPoll); their ${o.flood.held} post(s) wait as drafts for staff (\`ontact posts list --status draft\`)\n`);
              }
              for (const skipped of o.skipped ?? []) process.stdout.write(`  skipped: ${skipped}\n`);
              for (const note of o.notes ?? []) process.stdout.write(`  note: ${note}\n`);
              break;
            case 'not-modified':
              process.stdout.write(`${o.source}: not modified since the last poll\n`);
              break;
            case 'not-configured':
              process.stdout.write(`${o.source}: ${o.reason}\n`);
              break;
            case 'backing-off':
              process.stdout.write(`${o.source}: backing off until ${kst(o.until)}\n`);
              break;
            case 'failed':
              process.stderr.write(`${o.source}: failed (${o.failures} in a row${o.flagged ? ', flagged for staff' : ''}): ${o.reason}\n`);
              process.exitCode = 1;
              break;
          }
        }
      });
    });

  sources
    .command('import')
    .description('ingest a local feed or 고용24 response file, as if a source had fetched it')
    .argument('<file>', 'an RSS/Atom file or a saved 고용24 XML response')
    .addOption(new Option('--type <type>', 'what the file is (detected when omitted)').choices(['rss', 'work24-jobs', 'work24-training']))
    .addOption(new Option('--kind <kind>', 'what a feed announces').choices([...KINDS]))
    .option('--region <code>', 'region code for a feed’s items (e.g. 52710)')
    .option('--now', 'publish the posts it plans right away instead of at the next slot')
    .action(async (file: string, options: { type?: string; kind?: string; region?: string; now?: boolean }) => {
      if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
      const content = readFileSync(file).toString('base64');
      await client(async (c) => {
        const r = await c.call<{ type: string; items: number; created: number; changed: number; unchanged: number; postsPlanned: number; publishedNow: number; skipped: string[]; notes: string[] }>('sources.import', {
          fileName: basename(file),
          content,
          ...(options.type ? { type: options.type } : {}),
          ...(options.kind ? { kind: options.kind } : {}),
          ...(options.region ? { region: options.region } : {}),
          ...(options.now ? { now: true } : {}),
        });
        process.stdout.write(`${basename(file)} (${r.type}): ${r.items} item(s): ${r.created} new, ${r.changed} changed, ${r.unchanged} unchanged; ${r.postsPlanned} post(s) planned\n`);
        for (const skipped of r.skipped) process.stderr.write(`  skipped: ${skipped}\n`);
        for (const note of r.notes) process.stdout.write(`  note: ${note}\n`);
        if (r.created > 0 && r.postsPlanned === 0) {
          process.stdout.write('no posting rule took these items (see posting.rules in the configuration; rules limited to regions need --region, e.g. --region 52710)\n');
        }
        if (options.now) process.stdout.write(`${r.publishedNow} post(s) queued for publishing now\n`);
      });
    });

  const items = program.command('items').description('stored content items: job listings, training courses, lectures and notices');

  items
    .command('list')
    .description('stored items, newest first')
    .addOption(new Option('--state <state>', 'only items in this state').choices(['open', 'closed', 'cancelled']))
    .addOption(new Option('--kind <kind>', 'only this kind').choices([...KINDS]))
    .option('--source <name>', 'only from this source')
    .option('--limit <n>', 'how many', parseId, 50)
    .action(async (options: { state?: string; kind?: string; source?: string; limit: number }) => {
      await client(async (c) => {
        const rows = await c.call<{ id: number; kind: string; state: string; source: string; title: string; deadlineAt: string | null; posts: number }[]>('items.list', { ...options });
        process.stdout.write(`${rows.length ? table(['id', 'kind', 'state', 'source', 'deadline', 'posts', 'title'], rows.map((r) => [r.id, r.kind, r.state, r.source, kst(r.deadlineAt), r.posts, clip(r.title, 50)])) : 'no items'}\n`);
      });
    });

  items
    .command('show')
    .description('one stored item with its fields and its posts')
    .argument('<id>', 'the item id', parseId)
    .action(async (id: number) => {
      await client(async (c) => {
        const r = await c.call<{ id: number; kind: string; state: string; source: string; sourceKey: string; title: string; summary: string; link: string | null; organisation: string | null; place: string | null; pay: string | null; startsAt: string | null; endsAt: string | null; deadlineAt: string | null; deadlineText: string | null; version: number; firstSeenAt: string; extra: Record<string, string>; postIds: number[] }>('items.get', { id });
        const lines = [
          `item ${r.id} (${r.kind}) — ${r.state}, version ${r.version}`,
          `  title:     ${r.title}`,
          `  source:    ${r.source} (${r.sourceKey}), first seen ${kst(r.firstSeenAt)}`,
          ...(r.organisation ? [`  from:      ${r.organisation}`] : []),
          ...(r.place ? [`  place:     ${r.place}`] : []),
          ...(r.pay ? [`  pay:       ${r.pay}`] : []),
          ...(r.startsAt || r.endsAt ? [`  period:    ${kst(r.startsAt)} ~ ${kst(r.endsAt)}`] : []),
          `  deadline:  ${r.deadlineText ?? kst(r.deadlineAt)}`,
          ...Object.entries(r.extra).map(([label, value]) => `  ${label}: ${value}`),
          ...(r.link ? [`  link:      ${r.link}`] : []),
          `  posts:     ${r.postIds.length ? r.postIds.join(', ') : 'none'}`,
          ...(r.summary ? ['', r.summary] : []),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });

  const posts = program.command('posts').description('posts: what goes out to which channels, and when (times in KST)');

  posts
    .command('create')
    .description('schedule a staff post (free text) or a post of a stored item')
    .option('--text <text>', 'the post text')
    .option('--title <title>', 'a headline for a free-text post')
    .option('--link <url>', 'a link to add')
    .option('--item <id>', 'post a stored content item instead of free text', parseId)
    .requiredOption('--channels <list>', `comma-separated: ${CHANNEL_NAMES.join(', ')}`)
    .option('--at <time>', 'when to publish, in KST: "2026-12-03 14:00" (default: the next slot)')
    .option('--now', 'publish right away')
    .option('--draft', 'keep it as a draft until approved')
    .option('--force', 'keep a time at night, at a weekend or on a public holiday')
    .option('--again', 'post an item to a channel it was already posted to')
    .action(async (options: { text?: string; title?: string; link?: string; item?: number; channels: string; at?: string; now?: boolean; draft?: boolean; force?: boolean; again?: boolean }) => {
      if (options.at && options.now) throw new UsageError('give --at or --now, not both');
      await client(async (c) => {
        const post = await c.call<PostSummary>('posts.create', {
          ...(options.item !== undefined ? { itemId: options.item } : {}),
          ...(options.text !== undefined ? { text: options.text } : {}),
          ...(options.title !== undefined ? { title: options.title } : {}),
          ...(options.link !== undefined ? { link: options.link } : {}),
          channels: options.channels.split(','),
          ...(options.at ? { at: parseAt(options.at) } : {}),
          ...(options.now ? { now: true } : {}),
          ...(options.draft ? { draft: true } : {}),
          ...(options.force ? { force: true } : {}),
          ...(options.again ? { again: true } : {}),
        });
        process.stdout.write(`post ${post.id}: ${post.status}${post.scheduledAt ? `, ${kst(post.scheduledAt)}` : ''} → ${post.channels.join(', ')}\n`);
      });
    });

  posts
    .command('list')
    .description('recent posts, newest first')
    .addOption(new Option('--status <status>', 'only posts in this status').choices([...POST_STATUSES]))
    .option('--limit <n>', 'how many', parseId, 50)
    .action(async (options: { status?: string; limit: number }) => {
      await client(async (c) => {
        const rows = await c.call<PostSummary[]>('posts.list', { ...options });
        process.stdout.write(`${rows.length ? table(['id', 'status', 'when', 'channels', 'what'], rows.map((p) => [p.id, p.status, kst(p.scheduledAt), p.channels.join(','), clip(p.title)])) : 'no posts'}\n`);
      });
    });

  posts
    .command('show')
    .description('one post: planned and actual times, each channel copy with its link and state, and its history')
    .argument('<id>', 'the post id', parseId)
    .action(async (id: number) => {
      await client(async (c) => {
        const p = await c.call<PostSummary & { version: number; deliveries: { channel: string; status: string; dryRun: boolean | null; platformId: string | null; url: string | null; attempts: number; lastError: string | null; nextAttemptAt: string | null; publishedAt: string | null; publishedState: string | null; notes?: string[] }[]; history: { channel: string; kind: string; status: string; requestedBy: string; requestedAt: string; finishedAt: string | null; error: string | null; version: number | null; state: string | null }[] }>('posts.get', { id });
        const lines = [
          `post ${p.id} (${p.kind}) — ${p.status}${p.state !== 'open' ? ` [${p.state === 'closed' ? '마감' : '취소'}]` : ''}, version ${p.version}`,
          `  what:      ${clip(p.title, 80)}`,
          `  planned:   ${kst(p.scheduledAt)}`,
          `  channels:  ${p.channels.join(', ')}`,
          ...(p.note ? [`  note:      ${p.note}`] : []),
          `  created:   ${kst(p.createdAt)} by ${p.createdBy}${p.approvedBy ? `; approved by ${p.approvedBy} ${kst(p.approvedAt)}` : ''}`,
        ];
        if (p.deliveries.length) {
          lines.push(
            '',
            table(
              ['channel', 'status', 'published', 'shows', 'link', 'attempts', 'next attempt', 'error'],
              p.deliveries.map((d) => [`${d.channel}${d.dryRun ? ' (dry-run)' : ''}`, d.status, kst(d.publishedAt), d.publishedState ? ({ open: '게시', closed: '마감', cancelled: '취소', removed: '삭제' } as Record<string, string>)[d.publishedState] ?? d.publishedState : '-', d.url ?? d.platformId, d.attempts, kst(d.nextAttemptAt), clip(d.lastError, 50)]),
            ),
          );
          // What platforms reported back about their copies (a Discord lecture's interested members).
          for (const d of p.deliveries) for (const note of d.notes ?? []) lines.push(`  ${d.channel}: ${note}`);
        }
        if (p.history.length) {
          lines.push('', 'history:');
          for (const h of p.history) lines.push(`  ${kst(h.requestedAt)}  ${h.channel} ${h.kind}${h.version ? ` v${h.version}` : ''}${h.state && h.state !== 'open' ? ` (${h.state})` : ''} by ${h.requestedBy} — ${h.status}${h.finishedAt ? ` ${kst(h.finishedAt)}` : ''}${h.error ? `: ${clip(h.error, 60)}` : ''}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });

  for (const [name, summary] of [
    ['approve', 'approve a draft: it goes out at the next slot, at --at, or --now'],
    ['reschedule', 'move a draft or scheduled post to another time (--at, KST)'],
  ] as const) {
    posts
      .command(name)
      .description(summary)
      .argument('<id>', 'the post id', parseId)
      .option('--at <time>', 'when to publish, in KST: "2026-12-03 14:00"')
      .option('--now', 'publish right away')
      .option('--force', 'keep a time at night, at a weekend or on a public holiday')
      .action(async (id: number, options: { at?: string; now?: boolean; force?: boolean }) => {
        if (options.at && options.now) throw new UsageError('give --at or --now, not both');
        if (name === 'reschedule' && !options.at) throw new UsageError('reschedule needs --at (in KST, e.g. "2026-12-03 14:00")');
        await client(async (c) => {
          const post = await c.call<PostSummary>(`posts.${name}`, { id, ...(options.at ? { at: parseAt(options.at) } : {}), ...(options.now ? { now: true } : {}), ...(options.force ? { force: true } : {}) });
          process.stdout.write(`post ${post.id}: ${post.status}, ${kst(post.scheduledAt)}\n`);
        });
      });
  }

  posts
    .command('cancel')
    .description('cancel a post; copies already published are marked 취소 (or removed with --remove)')
    .argument('<id>', 'the post id', parseId)
    .option('--remove', 'delete published copies instead of marking them 취소')
    .action(async (id: number, options: { remove?: boolean }) => {
      await client(async (c) => {
        const post = await c.call<PostSummary>('posts.cancel', { id, ...(options.remove ? { remove: true } : {}) });
        process.stdout.write(`post ${post.id}: ${post.status}\n`);
      });
    });

  posts
    .command('retry')
    .description('send a post’s failed deliveries again')
    .argument('<id>', 'the post id', parseId)
    .action(async (id: number) => {
      await client(async (c) => {
        const post = await c.call<PostSummary>('posts.retry', { id });
        process.stdout.write(`post ${post.id}: ${post.status}\n`);
      });
    });

  program
    .command('render')
    .description('preview a stored post on its channels, or an item on the channels its posting rule would use, as people will see it')
    .addArgument(new Argument('<what>', 'item or post').choices(['item', 'post']))
    .argument('<id>', 'its id', parseId)
    .addOption(new Option('--channel <channel>', 'only this channel (one of the post\'s own, for a post)').choices([...CHANNEL_NAMES]))
    .option('--json', 'print the raw payloads that would be sent, instead of the preview')
    .action(async (what: 'item' | 'post', id: number, options: { channel?: ChannelName; json?: boolean }) => {
      const { loadConfig } = await import('../config/load.js');
      const { placeholderPhoneProblem } = await import('../render/render.js');
      await client(async (c) => {
        let heading: string;
        let previews: { channel: string; text: string; payload: unknown }[];
        if (what === 'item') {
          const item = await c.call<{ kind: string; state: string }>('items.get', { id });
          const r = await c.call<{ rule: string | null; previews: typeof previews }>('items.preview', { id, ...(options.channel ? { channel: options.channel } : {}) });
          previews = r.previews;
          heading = `item ${id} (${item.kind}${item.state === 'open' ? '' : `, ${item.state === 'closed' ? '마감' : '취소'}`}) — ${r.rule ? `posting rule "${r.rule}": ${previews.map((p) => p.channel).join(', ')}` : 'no posting rule takes it; showing every channel'}`;
        } else {
          const post = await c.call<PostSummary>('posts.get', { id });
          if (options.channel && !post.channels.includes(options.channel)) {
            throw new UsageError(`post ${id} does not go to ${options.channel}; it goes to ${post.channels.join(', ') || 'no channel'} (choose one of those with --channel)`);
          }
          previews = await c.call<typeof previews>('posts.preview', { id, ...(options.channel ? { channel: options.channel } : {}) });
          heading = `post ${id} (${post.kind}${post.state === 'open' ? '' : `, ${post.state === 'closed' ? '마감' : '취소'}`}) — ${post.status}, to ${post.channels.join(', ') || 'no channel'}`;
        }
        if (options.json) {
          for (const p of previews) process.stdout.write(`── ${p.channel} ──\n${JSON.stringify(p.payload, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${heading}\n\n${previews.map((p) => p.text).join('\n\n')}\n`);
        const phone = placeholderPhoneProblem(loadConfig().config.center);
        if (phone) process.stderr.write(`note: ${phone}\n`);
      });
    });

  const outbox = program.command('outbox').description('what channels running dry would have sent (시험 모드)');

  outbox
    .command('list')
    .description('dry-run records, newest first')
    .addOption(new Option('--channel <channel>', 'only this channel').choices([...CHANNEL_NAMES]))
    .addOption(new Option('--operation <op>', 'only this operation').choices(['publish', 'update', 'remove', 'reply', 'hide']))
    .option('--limit <n>', 'how many', parseId, 50)
    .action(async (options: { channel?: string; operation?: string; limit: number }) => {
      await client(async (c) => {
        const rows = await c.call<{ id: number; channel: string; operation: string; idempotencyKey: string; target: string | null; createdAt: string }[]>('outbox.list', { ...options });
        process.stdout.write(`${rows.length ? table(['id', 'at', 'channel', 'operation', 'key', 'target'], rows.map((r) => [r.id, kst(r.createdAt), r.channel, r.operation, r.idempotencyKey, r.target])) : 'the outbox is empty'}\n`);
      });
    });

  outbox
    .command('show')
    .description('one dry-run record: how it would have looked (--json: the payload)')
    .argument('<id>', 'the record id', parseId)
    .option('--json', 'print the payload')
    .action(async (id: number, options: { json?: boolean }) => {
      await client(async (c) => {
        const r = await c.call<{ id: number; channel: string; operation: string; idempotencyKey: string; target: string | null; createdAt: string; payload: unknown; preview: string | null }>('outbox.get', { id });
        process.stdout.write(`outbox ${r.id}: ${r.channel} ${r.operation} (${r.idempotencyKey}) at ${kst(r.createdAt)}${r.target ? ` → ${r.target}` : ''}\n\n${options.json || !r.preview ? JSON.stringify(r.payload, null, 2) : r.preview}\n`);
      });
    });
}

function parseId(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`expected a number, found "${value}"`);
  return Number(value);
}

/** A KST time typed by a person, as the instant the API takes. A date alone is not a time: 00:00 is rarely what anyone means. */
function parseAt(value: string): string {
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(value.trim())) throw new UsageError(`--at: give the time as well as the date, e.g. "${value.trim()} 09:00" (KST)`);
  const at = parseKstInput(value);
  if (!at) throw new UsageError(`--at: expected a KST time such as "2026-12-03 14:00", found "${value}"`);
  return at.toISOString();
}
