import type { AppContext } from '../../app/context.js';
import { receiveInbound } from '../../inquiries/intake.js';
import { createGraphClientFor } from './live.js';
import { sweptCommentEvent } from './webhook.js';

export interface SweepSummary {
  posts: number;
  comments: number;
  created: number;
}

/** How far back Ontact's own posts are swept for comments a missed webhook would have lost. */
const SWEEP_POSTS_WITHIN_MS = 14 * 24 * 60 * 60_000;
/** Comments a little older than the last sweep are read again: the natural key makes that free. */
const OVERLAP_MS = 10 * 60_000;

/**
 * Reads recent comments on Ontact's own live Facebook posts and feeds each through the same
 * intake as the webhook; what the webhook already stored is a no-op.
 */
export async function sweepFacebookComments(ctx: AppContext, since: Date | null, signal?: AbortSignal): Promise<SweepSummary> {
  const client = createGraphClientFor(ctx);
  const pageId = ctx.config.channels.facebook.pageId;
  const posts = await ctx.store.db
    .selectFrom('deliveries')
    .select(['platform_id'])
    .where('channel', '=', 'facebook')
    .where('dry_run', '=', false)
    .where('platform_id', 'is not', null)
    .where('status', '=', 'published')
    .where('published_at', '>', new Date(Date.now() - SWEEP_POSTS_WITHIN_MS))
    .execute();
  const summary: SweepSummary = { posts: posts.length, comments: 0, created: 0 };
  const from = since ? new Date(since.getTime() - OVERLAP_MS) : undefined;
  for (const { platform_id: postId } of posts) {
    if (!postId) continue;
    for (const comment of await client.recentComments(postId, from, {}, signal)) {
      const event = sweptCommentEvent(comment, postId, pageId);
      if (!event) continue;
      summary.comments++;
      if ((await receiveInbound(ctx, event)).outcome === 'created') summary.created++;
    }
  }
  return summary;
}
