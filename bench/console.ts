/**
 * `npm run bench:console` (`tsx bench/console.ts [--pglite] [--rounds N]`): how fast the staff
 * console's pages answer with 10,000 posts in the store. The web role is built in this process
 * on its own PostgreSQL schema (or PGlite directory) and Redis prefix, listening on a local port;
 * each page is fetched over HTTP with a signed-in session, warmed up, then timed; the table shows
 * p50, p95 and the slowest answer. The target is p95 ≤ 100 ms for every page.
 */
import { table } from '../src/cli/format.js';
import { createSession, sessionPolicy } from '../src/users/sessions.js';
import { createUser } from '../src/users/users.js';
import { buildServer } from '../src/web/server.js';
import { consoleRoutes } from '../src/web/console/index.js';
import { kstDayKey, kstParts, startOfKstDay } from '../src/time/kst.js';
import { openBenchContext, type StoreKind } from './support.js';

const POSTS = 10_000;
const ITEMS = 2_000;
const TARGET_P95_MS = 100;
const store: StoreKind = process.argv.includes('--pglite') ? 'pglite' : 'postgres';
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 60;
const WARM_UP = 5;

const CHANNEL_SETS = [['facebook', 'discord'], ['facebook', 'youtube', 'discord'], ['discord'], ['facebook'], ['youtube', 'facebook']];
const PAST = ['published', 'published', 'published', 'published', 'partly_failed', 'cancelled'] as const;
const AHEAD = ['scheduled', 'scheduled', 'scheduled', 'draft', 'cancelled'] as const;
const KINDS = ['job', 'training', 'lecture', 'notice'] as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const bench = await openBenchContext(store);
  const { ctx } = bench;
  const db = ctx.store.db;
  try {
    const started = performance.now();
    // Items from two sources, and 10,000 posts over a year around today (about 27 a day, as a busy
    // center would have): those in the past published, cancelled or partly failed, those ahead
    // scheduled or drafts; every kind and channel mix.
    const itemIds: number[] = [];
    for (let i = 0; i < ITEMS; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, ITEMS - i) }, (_, j) => {
        const n = i + j;
        return {
          source: n % 2 ? 'work24-wanju-jobs' : 'center-notices',
          source_key: `bench-${n}`,
          kind: KINDS[n % KINDS.length]!,
          content_hash: `h${n}`,
          title: `[완주] 벤치 항목 ${n} 생산직 채용 (2교대)`,
          summary: '신입도 지원할 수 있어요. 통근버스가 있어요.',
          link: `https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=K${n}`,
          extra: JSON.stringify({ 경력: '관계없음' }),
          updated_at: new Date(),
        };
      });
      itemIds.push(...(await db.insertInto('content_items').values(rows).returning('id').execute()).map((r) => r.id));
    }
    const today = startOfKstDay(new Date());
    const postIds: number[] = [];
    for (let i = 0; i < POSTS; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, POSTS - i) }, (_, j) => {
        const n = i + j;
        const day = (n * 7) % 365;
        const at = new Date(today.getTime() + (day - 100) * 86_400_000 + [9, 13, 15][n % 3]! * 3_600_000);
        const status = day < 100 ? PAST[n % PAST.length]! : AHEAD[n % AHEAD.length]!;
        const fromItem = n % 3 === 0;
        return {
          item_id: fromItem ? itemIds[n % itemIds.length]! : null,
          kind: fromItem ? KINDS[n % KINDS.length]! : ('post' as const),
          title: fromItem ? null : `벤치 게시물 ${n}: 온라인 취업 특강 안내`,
          body: fromItem ? null : `${n}번째 글이에요. 12월 면접 특강이 열려요.\n유튜브 생중계로 함께해요.`,
          link: null,
          channels: JSON.stringify(CHANNEL_SETS[n % CHANNEL_SETS.length]!),
          status,
          state: status === 'cancelled' ? ('cancelled' as const) : ('open' as const),
          scheduled_at: status === 'draft' && n % 2 ? null : at,
          created_by: 'staff:bench',
          updated_at: new Date(),
        };
      });
      postIds.push(...(await db.insertInto('posts').values(rows).returning('id').execute()).map((r) => r.id));
    }
    // A copy per channel of every published post; one outbox record each, as dry-run channels leave.
    const published = await db.selectFrom('posts').select(['id', 'channels', 'status']).where('status', 'in', ['published', 'partly_failed']).execute();
    const deliveries = published.flatMap((p) => p.channels.map((channel, k) => ({ p, channel, failed: p.status === 'partly_failed' && k === 0 })));
    for (let i = 0; i < deliveries.length; i += 1000) {
      const chunk = deliveries.slice(i, i + 1000);
      await db
        .insertInto('deliveries')
        .values(
          chunk.map(({ p, channel, failed }) => ({
            post_id: p.id,
            channel,
            idempotency_key: `post-${p.id}-${channel}`,
            status: failed ? ('failed' as const) : ('published' as const),
            desired_version: 1,
            platform_id: failed ? null : `outbox-${channel}-${p.id}`,
            dry_run: true,
            last_error: failed ? 'the platform refused the request' : null,
            published_at: failed ? null : new Date(),
            published_version: failed ? null : 1,
            updated_at: new Date(),
          })),
        )
        .execute();
      await db
        .insertInto('outbox')
        .values(chunk.filter((d) => !d.failed).map(({ p, channel }) => ({ channel, operation: 'publish' as const, idempotency_key: `post-${p.id}-${channel}`, target: null, payload: JSON.stringify({ channel, message: `게시물 ${p.id}`, link: null }) })))
        .execute();
    }
    const seeded = performance.now() - started;

    await createUser(db, ctx.config, { login: 'bench.admin', name: '벤치 관리자', role: 'admin' }, 'bench');
    const user = await db.selectFrom('users').select('id').where('login', '=', 'bench.admin').executeTakeFirstOrThrow();
    const session = await createSession(db, sessionPolicy(ctx.config), user.id, { address: '127.0.0.1', userAgent: 'bench' });
    const app = await buildServer(ctx, [consoleRoutes(ctx)]);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const headers = { cookie: `ontact_session=${session.token}` };

    const busyPost = postIds[Math.floor(POSTS / 2)]!;
    const { year, month } = kstParts(today);
    const thisMonth = `${year}-${String(month).padStart(2, '0')}`;
    const nextMonth = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
    const publishedPost = published[0]!.id;
    const outboxId = (await db.selectFrom('outbox').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    const pages: [string, string][] = [
      ['오늘', '/today'],
      ['일정: 이번 주', `/calendar?week=${kstDayKey(today)}`],
      ['일정: 이번 달', `/calendar?view=month&month=${thisMonth}`],
      ['일정: 다음 달', `/calendar?view=month&month=${nextMonth}`],
      ['게시물 목록', '/posts'],
      ['게시물: 필터', `/posts?status=scheduled&channel=youtube&kind=post&from=${kstDayKey(today)}&to=${kstDayKey(new Date(today.getTime() + 90 * 86_400_000))}`],
      ['게시물: 검색', '/posts?q=%ED%8A%B9%EA%B0%95'],
      ['게시물: 100쪽', '/posts?page=100'],
      ['게시물 보기', `/posts/${busyPost}`],
      ['게시된 게시물', `/posts/${publishedPost}`],
      ['게시물 쓰기', '/posts/new'],
      ['소스', '/sources'],
      ['채널', '/channels'],
      ['시험 발송함', '/outbox'],
      ['발송 기록', `/outbox/${outboxId}`],
      ['사용자', '/admin/users'],
      ['감사 기록', '/admin/audit'],
    ];
    const rows: string[][] = [];
    let worst = 0;
    for (const [name, path] of pages) {
      const times: number[] = [];
      for (let i = 0; i < WARM_UP + ROUNDS; i++) {
        const t0 = performance.now();
        const response = await fetch(`${url}${path}`, { headers, redirect: 'manual' });
        const body = await response.text();
        const ms = performance.now() - t0;
        if (response.status !== 200) throw new Error(`bench: ${path} answered ${response.status}: ${body.slice(0, 300)}`);
        if (i >= WARM_UP) times.push(ms);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 95);
      worst = Math.max(worst, p95);
      rows.push([name, path.length > 60 ? `${path.slice(0, 57)}…` : path, percentile(times, 50).toFixed(1), p95.toFixed(1), times[times.length - 1]!.toFixed(1), p95 <= TARGET_P95_MS ? 'ok' : 'SLOW']);
    }
    await app.close();
    console.log(`console pages, ${store}: ${POSTS.toLocaleString('en-US')} posts, ${ITEMS.toLocaleString('en-US')} items, ${deliveries.length.toLocaleString('en-US')} deliveries (seeded in ${(seeded / 1000).toFixed(1)} s); ${ROUNDS} timed requests per page after ${WARM_UP} warm-up`);
    console.log(table(['page', 'path', 'p50 ms', 'p95 ms', 'max ms', `≤ ${TARGET_P95_MS} ms`], rows));
    console.log(worst <= TARGET_P95_MS ? `every page answered within ${TARGET_P95_MS} ms at the 95th percentile` : `some pages are slower than ${TARGET_P95_MS} ms at the 95th percentile`);
    if (worst > TARGET_P95_MS) process.exitCode = 1;
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
