/**
 * What citizens can look up through a chat bot: open items of one kind, newest deadlines first,
 * with their dates in KST words. `openItems` is the query the gateway answers /채용 /훈련 /특강
 * from (the channel is handed it, and never reads the outreach tables itself); `items.open`
 * shows staff the same list.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import type { OpenItemsPage, OpenItemsQuery } from '../../channels/module.js';
import { formatDeadline, formatPeriod } from '../../content/display.js';
import { defineOperation } from '../operation.js';

const likeable = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One page of open items of a kind matching the words given; the post link is the one on `postChannel`. */
export async function openItems(ctx: Pick<AppContext, 'store'>, query: OpenItemsQuery, options: { now?: Date; postChannel?: string } = {}): Promise<OpenItemsPage> {
  const now = options.now ?? new Date();
  const channel = options.postChannel ?? 'discord';
  const keyword = query.keyword?.trim();
  const region = query.region?.trim();
  const filters = sql.join(
    [
      sql`ci.kind = ${query.kind}`,
      sql`ci.state = 'open'`,
      sql`(ci.deadline_at is null or ci.deadline_at > ${now})`,
      // A lecture that has begun is no longer one to sign up for.
      ...(query.kind === 'lecture' ? [sql`(ci.starts_at is null or ci.starts_at > ${now})`] : []),
      ...(keyword ? [sql`(ci.title ilike ${likeable(keyword)} or ci.summary ilike ${likeable(keyword)} or ci.organisation ilike ${likeable(keyword)})`] : []),
      ...(region ? [sql`(ci.place ilike ${likeable(region)} or ci.region = ${region} or ci.organisation ilike ${likeable(region)})`] : []),
    ],
    sql` and `,
  );
  const order = query.kind === 'lecture' ? sql`ci.starts_at asc nulls last, ci.id desc` : sql`ci.deadline_at asc nulls last, ci.id desc`;
  const offset = (query.page - 1) * query.pageSize;
  const [rows, count] = await Promise.all([
    sql<{
      id: number;
      title: string;
      organisation: string | null;
      place: string | null;
      link: string | null;
      starts_at: Date | null;
      ends_at: Date | null;
      deadline_at: Date | null;
      deadline_text: string | null;
      post_url: string | null;
    }>`
      select ci.id, ci.title, ci.organisation, ci.place, ci.link, ci.starts_at, ci.ends_at, ci.deadline_at, ci.deadline_text,
        (select d.platform_url from posts p join deliveries d on d.post_id = p.id
          where p.item_id = ci.id and d.channel = ${channel} and d.status = 'published' and d.dry_run is not true and d.platform_url is not null
          order by d.id desc limit 1) as post_url
      from content_items ci where ${filters}
      order by ${order} limit ${query.pageSize} offset ${offset}`.execute(ctx.store.db),
    sql<{ n: string }>`select count(*) as n from content_items ci where ${filters}`.execute(ctx.store.db),
  ]);
  return {
    total: Number(count.rows[0]?.n ?? 0),
    items: rows.rows.map((r) => {
      const when = query.kind === 'job' ? '' : formatPeriod(r.starts_at, r.ends_at);
      const deadline = formatDeadline(r.deadline_at, r.deadline_text, { openLabel: query.kind === 'job' ? '상시채용' : '상시 모집' });
      return { id: r.id, title: r.title, organisation: r.organisation, place: r.place, when: when || null, deadline: deadline || null, link: r.link, postUrl: r.post_url };
    }),
  };
}

const line = z.object({
  id: z.number(),
  title: z.string(),
  organisation: z.string().nullable(),
  place: z.string().nullable(),
  when: z.string().nullable(),
  deadline: z.string().nullable(),
  link: z.string().nullable(),
  postUrl: z.string().nullable(),
});

export const discordOperations = [
  defineOperation({
    name: 'items.open',
    method: 'GET',
    path: '/items/open',
    summary: 'Open items of one kind as citizens find them with /채용, /훈련 and /특강',
    roles: ['staff', 'lead', 'counselor'],
    input: z.object({
      kind: z.enum(['job', 'training', 'lecture']),
      keyword: z.string().max(30).optional(),
      region: z.string().max(20).optional(),
      page: z.coerce.number().int().min(1).max(1000).default(1),
      pageSize: z.coerce.number().int().min(1).max(25).default(5),
    }),
    output: z.object({ total: z.number(), items: z.array(line) }),
    run: (ctx, _actor, input) =>
      openItems(ctx, { kind: input.kind, page: input.page, pageSize: input.pageSize, ...(input.keyword ? { keyword: input.keyword } : {}), ...(input.region ? { region: input.region } : {}) }),
  }),
];
