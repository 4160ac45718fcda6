import { ChannelError } from '../channel.js';
import type { JobDeps } from '../module.js';
import { GraphApiError, toChannelError } from './graph-client.js';
import { graphClientFor } from './live.js';
import { sweptCommentEvent } from './webhook.js';

export interface SweepSummary {
  posts: number;
  comments: number;
  created: number;
  /** Why nothing was read: the channel is paused (throttled, or waiting for a new token). */
  skipped?: string;
}

/** How often the comment sweep runs. */
export const FACEBOOK_SWEEP_EVERY_MS = 10 * 60_000;

/** How far back Ontact's own posts are swept for comments a missed webhook would have lost. */
const SWEEP_POSTS_WITHIN_MS = 14 * 24 * 60 * 60_000;
/** Comments a little older than the last sweep are read again: the natural key makes that free. */
const OVERLAP_MS = 10 * 60_000;

/**
 * Reads recent comments on Ontact's own live Facebook posts and feeds each through the same
 * intake as the webhook; what the webhook already stored is a no-op. Like every call to Graph it
 * honours a paused channel, and a throttle or a refused token it meets pauses the channel.
 */
export async function sweepFacebookComments(deps: JobDeps<'facebook'>, since: Date | null, signal?: AbortSignal): Promise<SweepSummary> {
  const pause = await deps.pauses.check('facebook');
  if (pause) return { posts: 0, comments: 0, created: 0, skipped: pause.reason };
  try {
    return await sweep(deps, since, signal);
  } catch (error) {
    const channelError = error instanceof GraphApiError ? toChannelError(error) : error;
    if (channelError instanceof ChannelError && channelError.kind === 'throttled') {
      await deps.pauses.pause('facebook', 'throttled', channelError.message, new Date(Date.now() + (channelError.retryAfterMs ?? 60_000)));
      return { posts: 0, comments: 0, created: 0, skipped: channelError.message };
    }
    if (channelError instanceof ChannelError && channelError.kind === 'unauthorised') {
      await deps.pauses.pause('facebook', 'needs_reauth', channelError.message, null);
      return { posts: 0, comments: 0, created: 0, skipped: channelError.message };
    }
    throw channelError;
  }
}

async function sweep(deps: JobDeps<'facebook'>, since: Date | null, signal?: AbortSignal): Promise<SweepSummary> {
  const client = graphClientFor(deps.settings, await deps.credentials());
  const pageId = deps.settings.pageId;
  const posts = await deps.store.db
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
      if ((await deps.intake(event)).outcome === 'created') summary.created++;
    }
  }
  return summary;
}
