import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import { renderPost, type RenderInput, type RenderedPayload } from '../render/render.js';
import type { ContentItemTable, PostTable } from '../store/outreach-tables.js';
import type { Selectable } from 'kysely';
import { PostActionError } from './errors.js';

type PostRow = Selectable<PostTable>;
type ItemRow = Selectable<ContentItemTable>;

/** What the renderer needs from a stored post (and its item), in the state the copy should show. */
export function renderInputFor(ctx: Pick<AppContext, 'config'>, post: PostRow, item: ItemRow | null, state: 'open' | 'closed' | 'cancelled'): RenderInput {
  if (post.kind === 'post' || !item) {
    return { kind: 'post', title: post.title, text: post.body ?? '', link: post.link, state, center: centerOf(ctx) };
  }
  return itemRenderInput(ctx, item, state);
}

function centerOf(ctx: Pick<AppContext, 'config'>) {
  return { name: ctx.config.center.name, phone: ctx.config.center.phone, url: ctx.config.center.url ?? null };
}

export function itemRenderInput(ctx: Pick<AppContext, 'config'>, item: ItemRow, state: 'open' | 'closed' | 'cancelled'): RenderInput {
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

export async function loadPostForRender(ctx: AppContext, postId: number): Promise<{ post: PostRow; item: ItemRow | null }> {
  const post = await ctx.store.db.selectFrom('posts').selectAll().where('id', '=', postId).executeTakeFirst();
  if (!post) throw new PostActionError(`post ${postId} does not exist`);
  const item = post.item_id === null ? null : ((await ctx.store.db.selectFrom('content_items').selectAll().where('id', '=', post.item_id).executeTakeFirst()) ?? null);
  return { post, item };
}

export function renderPostFor(ctx: Pick<AppContext, 'config'>, post: PostRow, item: ItemRow | null, channel: ChannelName, state: 'open' | 'closed' | 'cancelled'): RenderedPayload {
  return renderPost(renderInputFor(ctx, post, item, state), channel);
}
