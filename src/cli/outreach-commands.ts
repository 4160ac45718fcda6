import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Argument, Option, type Command } from 'commander';
import { CHANNEL_NAMES, type ChannelName } from '../config/schema.js';
import { parseKstInput } from '../time/kst.js';
import { UsageError } from './errors.js';
import { clip, kst, table } from './format.js';

const POST_STATUSES = ['draft', 'scheduled', 'publishing', 'published', 'partly_failed', 'failed', 'cancelled'] as const;

/** `ontact sources …`, `ontact posts …` and `ontact render …`. */
export function registerOutreachCommands(program: Command): void {
  const sources = program.command('sources').description('content sources: RSS/Atom feeds and the 고용24 job and training APIs');

  sources
    .command('list')
    .description('each configured source with its last poll, last error and failures')
    .action(async () => {
      const { withContext } = await import('./context.js');
      const { sourceReadiness } = await import('../sources/config.js');
      const { sourceEnv } = await import('../outreach/poll-source.js');
      await withContext(async (ctx) => {
        const states = new Map((await ctx.store.db.selectFrom('source_states').selectAll().execute()).map((s) => [s.name, s]));
        const rows = ctx.config.sources.map((source) => {
          const state = states.get(source.name);
          const readiness = sourceReadiness(source, sourceEnv(ctx));
          const status = !readiness.configured ? readiness.reason : state?.flagged_at ? 'FLAGGED' : state?.consecutive_failures ? `failing (${state.consecutive_failures})` : state?.last_success_at ? 'ok' : 'not polled yet';
          return [source.name, source.type, `${source.intervalMinutes} min`, status, kst(state?.last_success_at), clip(state?.last_error, 60)];
        });
        process.stdout.write(`${rows.length ? table(['name', 'type', 'every', 'status', 'last success', 'last error'], rows) : 'no sources are configured (see config/default.yaml, sources)'}\n`);
      });
    });

  sources
    .command('poll')
    .description('poll one source (or every configured source) now')
    .argument('[name]', 'the source to poll; all when omitted')
    .action(async (name: string | undefined) => {
      const { withContext } = await import('./context.js');
      const { pollSource } = await import('../outreach/poll-source.js');
      const failed = await withContext(async (ctx) => {
        const configured = ctx.config.sources.map((s) => s.name);
        if (configured.length === 0) throw new UsageError('no sources are configured (see config/default.yaml, sources)');
        if (name && !configured.includes(name)) throw new UsageError(`no source named "${name}"; configured sources: ${configured.join(', ')}`);
        const names = name ? [name] : configured;
        let failures = 0;
        for (const source of names) {
          const outcome = await pollSource(ctx, source, { force: true });
          switch (outcome.status) {
            case 'ok':
              process.stdout.write(`${source}: ${outcome.summary.created} new, ${outcome.summary.changed} changed, ${outcome.summary.unchanged} unchanged, ${outcome.summary.postsPlanned} post(s) planned${outcome.itemErrors.length ? `; ${outcome.itemErrors.length} item(s) skipped` : ''}\n`);
              for (const note of outcome.notes) process.stdout.write(`  note: ${note}\n`);
              break;
            case 'not-modified':
              process.stdout.write(`${source}: not modified since the last poll\n`);
              break;
            case 'not-configured':
              process.stdout.write(`${source}: ${outcome.reason}\n`);
              break;
            case 'backing-off':
              process.stdout.write(`${source}: backing off until ${kst(outcome.until)}\n`);
              break;
            case 'failed':
              failures++;
              process.stderr.write(`${source}: failed (${outcome.failures} in a row${outcome.flagged ? ', flagged for staff' : ''}): ${outcome.error}\n`);
              break;
          }
        }
        return failures;
      });
      if (failed > 0) process.exitCode = 1;
    });

  sources
    .command('import')
    .description('ingest a local feed or 고용24 response file, as if a source had fetched it')
    .argument('<file>', 'an RSS/Atom file or a saved 고용24 XML response')
    .addOption(new Option('--type <type>', 'what the file is (detected when omitted)').choices(['rss', 'work24-jobs', 'work24-training']))
    .addOption(new Option('--kind <kind>', 'what a feed announces').choices(['job', 'training', 'lecture', 'notice']))
    .option('--region <code>', 'region code for a feed’s items (e.g. 52710)')
    .option('--now', 'publish the posts it plans right away instead of at the next slot')
    .action(async (file: string, options: { type?: 'rss' | 'work24-jobs' | 'work24-training'; kind?: 'job' | 'training' | 'lecture' | 'notice'; region?: string; now?: boolean }) => {
      const { withContext } = await import('./context.js');
      const { importSourceFile } = await import('../sources/source.js');
      const { ingestItems } = await import('../outreach/items.js');
      const { publishDuePost } = await import('../outreach/posts.js');
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const result = await importSourceFile(file, options.type, { ...(options.kind ? { kind: options.kind } : {}), ...(options.region ? { region: options.region } : {}) });
      await withContext(async (ctx) => {
        const source = `file:${basename(file)}`;
        const startedAt = new Date();
        const summary = await ingestItems(ctx, source, result.items);
        process.stdout.write(`${basename(file)} (${result.type}): ${result.items.length} item(s): ${summary.created} new, ${summary.changed} changed, ${summary.unchanged} unchanged; ${summary.postsPlanned} post(s) planned\n`);
        for (const error of result.errors) process.stderr.write(`  skipped: ${error}\n`);
        for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
        if (summary.created > 0 && summary.postsPlanned === 0) {
          process.stdout.write('no posting rule took these items (see posting.rules in the configuration; rules limited to regions need --region, e.g. --region 52710)\n');
        }
        if (options.now) {
          const planned = await ctx.store.db.selectFrom('posts').select('id').where('status', '=', 'scheduled').where('created_at', '>=', startedAt).execute();
          for (const post of planned) {
            await ctx.store.db.updateTable('posts').set({ scheduled_at: new Date() }).where('id', '=', post.id).execute();
            await publishDuePost(ctx, post.id);
          }
          process.stdout.write(`${planned.length} post(s) queued for publishing now\n`);
        }
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
    .option('--by <name>', 'who is posting (for the audit log)', process.env.USER ?? 'staff')
    .action(async (options: { text?: string; title?: string; link?: string; item?: number; channels: string; at?: string; now?: boolean; draft?: boolean; by: string }) => {
      if (options.at && options.now) throw new UsageError('give --at or --now, not both');
      const when = options.now ? ('now' as const) : options.at ? { at: parseAt(options.at) } : ('next-slot' as const);
      await withPosts(async (ctx, service) => {
        const post = await service.createPost(ctx, {
          ...(options.item !== undefined ? { itemId: options.item } : {}),
          ...(options.text !== undefined ? { text: options.text } : {}),
          ...(options.title !== undefined ? { title: options.title } : {}),
          ...(options.link !== undefined ? { link: options.link } : {}),
          channels: options.channels.split(','),
          when,
          draft: Boolean(options.draft),
          by: `staff:${options.by}`,
        });
        process.stdout.write(`post ${post.id}: ${post.status}${post.scheduled_at ? `, ${kst(post.scheduled_at)}` : ''} → ${post.channels.join(', ')}\n`);
      });
    });

  posts
    .command('list')
    .description('recent posts, newest first')
    .addOption(new Option('--status <status>', 'only posts in this status').choices([...POST_STATUSES]))
    .option('--limit <n>', 'how many', parseId, 50)
    .action(async (options: { status?: (typeof POST_STATUSES)[number]; limit: number }) => {
      await withPosts(async (ctx, service) => {
        const rows = await service.listPosts(ctx, { ...(options.status ? { status: options.status } : {}), limit: options.limit });
        process.stdout.write(`${rows.length ? table(['id', 'status', 'when', 'channels', 'what'], rows.map((p) => [p.id, p.status, kst(p.scheduled_at), p.channels.join(','), clip(p.itemTitle ?? p.title ?? p.body)])) : 'no posts'}\n`);
      });
    });

  posts
    .command('show')
    .description('one post with each channel’s delivery: status, platform id, error, next attempt')
    .argument('<id>', 'the post id', parseId)
    .action(async (id: number) => {
      await withPosts(async (ctx, service) => {
        const { post, deliveries, itemTitle } = await service.getPost(ctx, id);
        const lines = [
          `post ${post.id} (${post.kind}) — ${post.status}${post.state !== 'open' ? ` [${post.state === 'closed' ? '마감' : '취소'}]` : ''}`,
          `  what:      ${clip(itemTitle ?? post.title ?? post.body, 80)}`,
          `  when:      ${kst(post.scheduled_at)}`,
          `  channels:  ${post.channels.join(', ')}`,
          ...(post.note ? [`  note:      ${post.note}`] : []),
          `  created:   ${kst(post.created_at)} by ${post.created_by}${post.approved_by ? `; approved by ${post.approved_by} ${kst(post.approved_at)}` : ''}`,
        ];
        if (deliveries.length) {
          lines.push('', table(['channel', 'status', 'platform id', 'attempts', 'next attempt', 'error'], deliveries.map((d) => [`${d.channel}${d.dry_run ? ' (dry-run)' : ''}`, d.status, d.platform_id, d.attempts, kst(d.next_attempt_at), clip(d.last_error, 60)])));
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });

  posts
    .command('approve')
    .description('approve a draft: it goes out at the next slot, at --at, or --now')
    .argument('<id>', 'the post id', parseId)
    .option('--at <time>', 'when to publish, in KST')
    .option('--now', 'publish right away')
    .option('--by <name>', 'who approves (for the audit log)', process.env.USER ?? 'staff')
    .action(async (id: number, options: { at?: string; now?: boolean; by: string }) => {
      const when = options.now ? ('now' as const) : options.at ? { at: parseAt(options.at) } : ('next-slot' as const);
      await withPosts(async (ctx, service) => {
        const post = await service.approvePost(ctx, id, `staff:${options.by}`, when);
        process.stdout.write(`post ${post.id}: ${post.status}, ${kst(post.scheduled_at)}\n`);
      });
    });

  posts
    .command('cancel')
    .description('cancel a post; copies already published are marked 취소 (or removed with --remove)')
    .argument('<id>', 'the post id', parseId)
    .option('--remove', 'delete published copies instead of marking them 취소')
    .option('--by <name>', 'who cancels (for the audit log)', process.env.USER ?? 'staff')
    .action(async (id: number, options: { remove?: boolean; by: string }) => {
      await withPosts(async (ctx, service) => {
        const post = await service.cancelPost(ctx, id, `staff:${options.by}`, { remove: Boolean(options.remove) });
        process.stdout.write(`post ${post.id}: ${post.status}\n`);
      });
    });

  posts
    .command('retry')
    .description('send a post’s failed deliveries again')
    .argument('<id>', 'the post id', parseId)
    .option('--by <name>', 'who retries (for the audit log)', process.env.USER ?? 'staff')
    .action(async (id: number, options: { by: string }) => {
      await withPosts(async (ctx, service) => {
        const post = await service.retryPost(ctx, id, `staff:${options.by}`);
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
      const { withContext } = await import('./context.js');
      const { itemRenderInput, loadPostForRender, renderPostFor } = await import('../outreach/post-render.js');
      const { matchPostingRule } = await import('../outreach/rules.js');
      const { placeholderPhoneProblem } = await import('../render/render.js');
      const { previewText } = await import('../render/preview.js');
      await withContext(async (ctx) => {
        let heading: string;
        let channels: readonly ChannelName[];
        let render: (channel: ChannelName) => import('../render/render.js').RenderedPayload;
        if (what === 'item') {
          const item = await ctx.store.db.selectFrom('content_items').selectAll().where('id', '=', id).executeTakeFirst();
          if (!item) throw new UsageError(`item ${id} does not exist`);
          const rule = matchPostingRule(ctx.config.posting, { kind: item.kind, source: item.source, region: item.region });
          channels = rule ? rule.channels : CHANNEL_NAMES;
          heading = `item ${id} (${item.kind}${item.state === 'open' ? '' : `, ${item.state === 'closed' ? '마감' : '취소'}`}) — ${rule ? `posting rule "${rule.name}": ${channels.join(', ')}` : `no posting rule takes it; showing every channel`}`;
          const input = itemRenderInput(ctx, item, item.state);
          render = (channel) => ctx.renderer.renderPost(input, channel);
        } else {
          const { post, item } = await loadPostForRender(ctx, id);
          channels = CHANNEL_NAMES.filter((c) => post.channels.includes(c));
          heading = `post ${id} (${post.kind}${post.state === 'open' ? '' : `, ${post.state === 'closed' ? '마감' : '취소'}`}) — ${post.status}, to ${channels.join(', ') || 'no channel'}`;
          if (options.channel && !channels.includes(options.channel)) {
            throw new UsageError(`post ${id} does not go to ${options.channel}; it goes to ${channels.join(', ') || 'no channel'} (choose one of those with --channel)`);
          }
          render = (channel) => renderPostFor(ctx, post, item, channel, post.state);
        }
        const shown = options.channel ? [options.channel] : channels;
        if (options.json) {
          for (const channel of shown) process.stdout.write(`── ${channel} ──\n${JSON.stringify(render(channel), null, 2)}\n`);
          return;
        }
        const previews = shown.map((channel) => previewText(render(channel)));
        process.stdout.write(`${heading}\n\n${previews.join('\n\n')}\n`);
        const phone = placeholderPhoneProblem(ctx.config.center);
        if (phone) process.stderr.write(`note: ${phone}\n`);
      });
    });
}

async function withPosts(fn: (ctx: import('../app/context.js').AppContext, service: typeof import('../outreach/posts.js')) => Promise<void>): Promise<void> {
  const { withContext } = await import('./context.js');
  const service = await import('../outreach/posts.js');
  await withContext((ctx) => fn(ctx, service));
}

function parseId(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`expected a number, found "${value}"`);
  return Number(value);
}

function parseAt(value: string): Date {
  const at = parseKstInput(value);
  if (!at) throw new UsageError(`--at: expected a KST time such as "2026-12-03 14:00", found "${value}"`);
  return at;
}
