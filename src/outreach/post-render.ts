import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import type { RenderInput, RenderedPayload } from '../render/render.js';
import type { ContentItemTable, PostTable } from '../store/outreach-tables.js';
import { sql, type Selectable } from 'kysely';
import { PostActionError } from './errors.js';

type PostRow = Selectable<PostTable>;
type ItemRow = Selectable<ContentItemTable>;

/** The columns of a post and of its item that rendering a copy reads. */
const RENDER_POST_COLUMNS = ['id', 'item_id', 'kind', 'title', 'body', 'link'] as const satisfies readonly (keyof PostRow)[];
const RENDER_ITEM_COLUMNS = [
  'id', 'kind', 'title', 'summary', 'link', 'organisation', 'place', 'pay', 'starts_at', 'ends_at', 'deadline_at', 'deadline_text', 'published_at', 'extra',
] as const satisfies readonly (keyof ItemRow)[];
export type RenderPost = Pick<PostRow, (typeof RENDER_POST_COLUMNS)[number]>;
export type RenderItem = Pick<ItemRow, (typeof RENDER_ITEM_COLUMNS)[number]>;

/** What the renderer needs from a stored post (and its item), in the state the copy should show. */
export function renderInputFor(ctx: Pick<AppContext, 'config'>, post: RenderPost, item: RenderItem | null, state: 'open' | 'closed' | 'cancelled'): RenderInput {
  if (post.kind === 'post' || !item) {
    return { kind: 'post', title: post.title, text: post.body ?? '', link: post.link, state, center: centerOf(ctx) };
  }
  return itemRenderInput(ctx, item, state);
}

function centerOf(ctx: Pick<AppContext, 'config'>) {
  return { name: ctx.config.center.name, phone: ctx.config.center.phone, url: ctx.config.center.url ?? null };
}

export function itemRenderInput(ctx: Pick<AppContext, 'config'>, item: RenderItem, state: 'open' | 'closed' | 'cancelled'): RenderInput {
  const center = centerOf(ctx);
  return {
    kind: item.kind,
    item: {
      title: item.title,
      summary: item.summary,
      link: item.link,
      organisation: item.organisation,
      place: item.place,
      pay: item.pay,
      startsAt: item.starts_at,
      endsAt: item.ends_at,
      deadlineAt: item.deadline_at,
      deadlineText: item.deadline_text,
      publishedAt: item.published_at,
      extra: item.extra,
    },
    state,
    center,
  };
}

/**
 * Every column of a post and of its item, read together under `post.` and `item.` aliases (the
 * two tables, and the deliveries a claim reads them with, share column names).
 */
const POST_COLUMNS = [
  'id', 'item_id', 'kind', 'title', 'body', 'link', 'channels', 'status', 'state', 'version', 'scheduled_at', 'rule', 'note', 'created_by',
  'created_at', 'updated_at', 'approved_by', 'approved_at',
] as const satisfies readonly (keyof PostRow)[];
const ITEM_COLUMNS = [
  'id', 'source', 'source_key', 'kind', 'version', 'content_hash', 'title', 'summary', 'link', 'organisation', 'place', 'region', 'pay',
  'starts_at', 'ends_at', 'deadline_at', 'deadline_text', 'published_at', 'extra', 'state', 'first_seen_at', 'updated_at', 'closed_at',
] as const satisfies readonly (keyof ItemRow)[];
// A column added to posts or content_items must be added above: these fail to compile until it is.
const everyPostColumn: Exclude<keyof PostRow, (typeof POST_COLUMNS)[number]> extends never ? true : never = true;
const everyItemColumn: Exclude<keyof ItemRow, (typeof ITEM_COLUMNS)[number]> extends never ? true : never = true;
void everyPostColumn;
void everyItemColumn;

function aliased(post: readonly string[], item: readonly string[]) {
  return sql.raw([...post.map((column) => `posts.${column} as "post.${column}"`), ...item.map((column) => `content_items.${column} as "item.${column}"`)].join(', '));
}

/** Those columns as SQL (built once) for a statement over `posts` left-joined to `content_items`: `posts.id as "post.id", …`. */
export const POST_FOR_RENDER_SQL = aliased(POST_COLUMNS, ITEM_COLUMNS);
/** Only what rendering reads (`RenderPost`, `RenderItem`), for the statement that claims a copy's action. */
export const RENDER_COLUMNS_SQL = aliased(RENDER_POST_COLUMNS, RENDER_ITEM_COLUMNS);

/** Takes the post and its item (null when it has none) out of a row read with `POST_FOR_RENDER_SQL` (or `RENDER_COLUMNS_SQL`, typed as `RenderPost` and `RenderItem`). */
export function splitPostForRender<P = PostRow, I = ItemRow>(row: object): { post: P; item: I | null } {
  const post: Record<string, unknown> = {};
  const item: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('post.')) post[key.slice('post.'.length)] = value;
    else if (key.startsWith('item.')) item[key.slice('item.'.length)] = value;
  }
  return { post: post as P, item: item.id === null || item.id === undefined ? null : (item as I) };
}

/** A post and its item (if it has one), in one query. */
export async function loadPostForRender(ctx: AppContext, postId: number): Promise<{ post: PostRow; item: ItemRow | null }> {
  const { rows } = await sql<Record<string, unknown>>`
    select ${POST_FOR_RENDER_SQL} from posts left join content_items on content_items.id = posts.item_id where posts.id = ${postId}`.execute(ctx.store.db);
  if (!rows[0]) throw new PostActionError(`post ${postId} does not exist`, 'not_found');
  return splitPostForRender(rows[0]);
}

export function renderPostFor(ctx: Pick<AppContext, 'config' | 'renderer'>, post: RenderPost, item: RenderItem | null, channel: ChannelName, state: 'open' | 'closed' | 'cancelled'): RenderedPayload {
  return ctx.renderer.renderPost(renderInputFor(ctx, post, item, state), channel);
}
