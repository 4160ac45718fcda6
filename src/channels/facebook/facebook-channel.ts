/**
 * The Facebook Page behind the channel interface: a post on the Page's feed with its link.
 *
 * Graph has no idempotency key for `/{page-id}/feed`, so a publish that may have reached Graph
 * before (the action's `retry` flag) first looks for its own post among every Page post created
 * since its first attempt began (paging as far as needed, with a margin for clock skew), and
 * adopts it. The fingerprint it looks for:
 *
 *   1. A marker derived from the idempotency key, appended to the end of the message in
 *      zero-width characters (U+2060 around 32 bits of SHA-256 written as U+200B / U+200C). It
 *      is invisible to readers and tells two posts with the same text apart. Any marker-like
 *      run already in the text is removed before ours is added, so feed text cannot forge one,
 *      and only a marker at the very end of a post counts.
 *   2. If no recent post carries our marker, a post that carries no marker at all and whose
 *      text equals ours (NFC, whitespace runs collapsed, trimmed). This covers a platform that
 *      strips zero-width characters.
 *
 * Limits: the text fallback cannot tell apart two
 * unmarked posts with the same text (it adopts the newest), which only happens if Facebook strips
 * the marker; a message already at the length limit goes without a marker and relies on the
 * text match. An update sends the text without a marker: by then the post's id is recorded and
 * nothing needs to find it.
 *
 * Graph cannot change a post's link attachment after publishing, so an update changes the text
 * only; a new link needs the post removed and published again.
 */
import { createHash } from 'node:crypto';
import { ChannelError, type Channel, type ChannelDescription, type PublishedCopy } from '../channel.js';
import type { ReplyWindow, ReplyWindowQuestion } from '../module.js';
import type { RenderedPayload } from '../payloads.js';
import { GraphApiError, toChannelError, type GraphClient, type GraphPost } from './graph-client.js';
import { FACEBOOK_LIMITS } from './limits.js';
import type { FacebookPayload } from './render.js';

export interface FacebookChannelOptions {
  client: GraphClient;
  pageId: string;
  /** The client's deadline for one request; an action's lease is never shorter. */
  callTimeoutMs: number;
}

/** How far before a first attempt a retry looks, in case Graph's clock and ours disagree. */
const CLOCK_SKEW_MS = 10 * 60_000;

const EDGE = '\u2060';
const ZERO = '\u200B';
const ONE = '\u200C';
const MARKER_BITS = 32;
const ANY_MARKER = new RegExp(`${EDGE}[${ZERO}${ONE}]{${MARKER_BITS}}${EDGE}`, 'g');
const HAS_MARKER = new RegExp(`${EDGE}[${ZERO}${ONE}]{${MARKER_BITS}}${EDGE}`);
const TRAILING_MARKER = new RegExp(`${EDGE}([${ZERO}${ONE}]{${MARKER_BITS}})${EDGE}\\s*$`);

/** The invisible fingerprint of one delivery, derived from its idempotency key. */
export function fingerprintMarker(idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest();
  let bits = '';
  for (let i = 0; i < MARKER_BITS / 8; i += 1) {
    const byte = digest[i] ?? 0;
    for (let b = 7; b >= 0; b -= 1) bits += (byte >> b) & 1 ? ONE : ZERO;
  }
  return `${EDGE}${bits}${EDGE}`;
}

/** The message without any fingerprint marker. */
export function stripFingerprint(message: string): string {
  return message.replace(ANY_MARKER, '');
}

/** The message as published: the text, then the delivery's marker when it fits the length limit. */
export function fingerprintedMessage(message: string, idempotencyKey: string): string {
  const text = stripFingerprint(message);
  const marked = text + fingerprintMarker(idempotencyKey);
  return FACEBOOK_LIMITS.measure(marked) <= FACEBOOK_LIMITS.message ? marked : text;
}

function comparable(text: string): string {
  return stripFingerprint(text).normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** The earlier copy of this delivery among `posts` (newest first), or undefined. */
export function findOwnPost(posts: readonly GraphPost[], message: string, idempotencyKey: string): GraphPost | undefined {
  const marker = fingerprintMarker(idempotencyKey);
  const byMarker = posts.find((p) => p.message !== null && TRAILING_MARKER.exec(p.message)?.[0].startsWith(marker) === true);
  if (byMarker) return byMarker;
  const text = comparable(message);
  return posts.find((p) => p.message !== null && !HAS_MARKER.test(p.message) && comparable(p.message) === text);
}

function facebookPayload(payload: RenderedPayload, action: string): FacebookPayload {
  if (payload.channel !== 'facebook') {
    throw new ChannelError('facebook', 'permanent', `cannot ${action} a ${payload.channel} payload on Facebook: it was rendered for the wrong channel`);
  }
  if (payload.message.trim() === '') throw new ChannelError('facebook', 'permanent', `cannot ${action} a post with an empty message`);
  return payload;
}

function postUrl(postId: string): string {
  const [page, post] = postId.split('_');
  return page && post ? `https://www.facebook.com/${page}/posts/${post}` : `https://www.facebook.com/${postId}`;
}

async function graph<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GraphApiError) throw toChannelError(error);
    throw error;
  }
}

/** Graph's answer to deleting an object that is not there: "Unsupported delete request", code 100/33. */
function isAlreadyGone(error: unknown): boolean {
  return error instanceof GraphApiError && error.code === 100 && error.subcode === 33;
}

export function createFacebookChannel(options: FacebookChannelOptions): Channel {
  const { client, pageId } = options;
  if (!pageId) throw new TypeError('Facebook channel: pageId is empty (set channels.facebook.pageId or FACEBOOK_PAGE_ID)');

  const description: ChannelDescription = {
    name: 'facebook',
    dryRun: false,
    capabilities: { publish: true, update: true, remove: true, reply: true },
    limits: [
      `message ≤ ${FACEBOOK_LIMITS.message.toLocaleString('en-US')} characters (UTF-16 units), plain text`,
      'one link per post, fixed when it is published: an update changes the text only',
      'a retried publish looks for its earlier post among every Page post made since its first attempt',
      'replies: a public comment reply, or one private reply per comment within 7 days of it',
      'Messenger answers within 24 hours of the citizen\'s last message, or up to 7 days as a human agent',
    ],
    callTimeoutMs: options.callTimeoutMs,
  };

  return {
    name: 'facebook',
    describe: () => description,

    async publish(request, signal): Promise<PublishedCopy> {
      const payload = facebookPayload(request.payload, 'publish');
      const message = fingerprintedMessage(payload.message, request.idempotencyKey);
      return graph(async () => {
        if (request.retry) {
          const recent = await client.pagePostsSince(pageId, new Date(request.since.getTime() - CLOCK_SKEW_MS), signal);
          const own = findOwnPost(recent, message, request.idempotencyKey);
          if (own) return { platformId: own.id, url: postUrl(own.id) };
        }
        const id = await client.publishPagePost(pageId, { message, link: payload.link }, signal);
        return { platformId: id, url: postUrl(id) };
      });
    },

    async update(request, signal) {
      const payload = facebookPayload(request.payload, 'update');
      await graph(() => client.updatePost(request.platformId, stripFingerprint(payload.message), signal));
    },

    async remove(request, signal) {
      await graph(async () => {
        try {
          await client.deletePost(request.platformId, signal);
        } catch (error) {
          // A retry after a crash finds the post already deleted: the removal it wanted is done.
          if (isAlreadyGone(error)) return;
          throw error;
        }
      });
    },

    async reply(request, signal) {
      const text = request.text.normalize('NFC');
      if (request.to.channel === 'facebook_comment') {
        const commentId = request.to.platformId;
        if (request.visibility === 'public') {
          // Comment replies carry the same invisible fingerprint as posts, so a retry adopts the reply it already made.
          const message = fingerprintedMessage(text, request.idempotencyKey);
          return graph(async () => {
            if (request.retry) {
              const replies = await client.recentComments(commentId, undefined, { limit: 100, maxPages: 1 }, signal);
              const ours = replies.filter((c) => c.from?.id === pageId).map((c) => ({ id: c.id, message: c.message, createdTime: c.createdTime }));
              const own = findOwnPost(ours, message, request.idempotencyKey);
              if (own) return { platformId: own.id };
            }
            return { platformId: await client.replyToComment(commentId, message, signal) };
          });
        }
        try {
          const sent = await graph(() => client.privateReply(commentId, text, signal));
          return { platformId: sent.messageId };
        } catch (error) {
          // Facebook allows one private reply per comment: on a retry, "already replied" means ours went out.
          if (request.retry && error instanceof ChannelError && /10900|already replied/i.test(error.message)) return { platformId: `private-reply-${commentId}` };
          throw error;
        }
      }
      if (request.to.channel !== 'facebook_message') {
        throw new ChannelError('facebook', 'permanent', `Facebook cannot answer a ${request.to.channel} inquiry`);
      }
      const tag = messagingTag(request.lastInboundAt, new Date());
      const sent = await graph(() => client.sendMessage(request.to.authorId, text, tag ? { tag } : {}, signal));
      return { platformId: sent.messageId };
    },

    async hide(request, signal) {
      await graph(() => client.hideComment(request.platformId, true, signal));
    },
  };
}

const DAY_MS = 24 * 60 * 60_000;
const HUMAN_AGENT_MS = 7 * DAY_MS;

/**
 * Messenger's rules for a Page answering a person: a standard reply within 24 hours of their
 * last message, a human agent's reply (HUMAN_AGENT tag) within 7 days, nothing after that.
 */
export function messagingTag(lastInboundAt: Date, now: Date): 'HUMAN_AGENT' | null {
  const age = now.getTime() - lastInboundAt.getTime();
  if (age <= DAY_MS) return null;
  if (age <= HUMAN_AGENT_MS) return 'HUMAN_AGENT';
  throw new ChannelError(
    'facebook',
    'permanent',
    `the citizen's last Messenger message was ${Math.floor(age / DAY_MS)} days ago; Facebook lets a Page answer only within 7 days (마지막 메시지 후 7일이 지나 Messenger로 답할 수 없습니다). Call them, or wait for them to write again.`,
  );
}

/**
 * The same rules as the reply box reads them, before anything is sent: Messenger's windows
 * from the citizen's last message, and a comment's one private reply within 7 days of it.
 */
export function facebookReplyWindow(q: ReplyWindowQuestion): ReplyWindow | null {
  if (q.inbound === 'facebook_message') {
    const last = q.lastInboundAt.getTime();
    let tag: 'HUMAN_AGENT' | null;
    try {
      tag = messagingTag(q.lastInboundAt, q.now);
    } catch (error) {
      if (!(error instanceof ChannelError)) throw error;
      return { state: 'closed', until: null, rule: MESSENGER_RULE, reason: '시민의 마지막 메시지 후 7일이 지나 Messenger로 답할 수 없어요. 전화하거나 시민이 다시 쓰기를 기다리세요.' };
    }
    return tag === null
      ? { state: 'open', until: new Date(last + DAY_MS), rule: MESSENGER_RULE, reason: null }
      : { state: 'extended', until: new Date(last + HUMAN_AGENT_MS), rule: MESSENGER_RULE, reason: null };
  }
  if (q.inbound === 'facebook_comment' && q.visibility === 'private') {
    const until = new Date(q.messageAt.getTime() + HUMAN_AGENT_MS);
    const rule = '댓글 하나에 비공개 답변은 한 번, 댓글을 단 뒤 7일 안에만 보낼 수 있어요.';
    return q.now <= until ? { state: 'open', until, rule, reason: null } : { state: 'closed', until: null, rule, reason: '댓글을 단 지 7일이 지나 비공개로 답할 수 없어요. 공개 답변으로 보내거나 전화하세요.' };
  }
  return null;
}

const MESSENGER_RULE = 'Messenger는 시민의 마지막 메시지 후 24시간 안에 답할 수 있고, 그 뒤 7일까지는 상담원 답변(HUMAN_AGENT)으로만 보낼 수 있어요.';
