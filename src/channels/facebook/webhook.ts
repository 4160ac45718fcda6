/**
 * Facebook Page webhooks, as pure functions for the web role: the signature check, the GET
 * verification handshake, and the translation of a delivery into inbound events.
 *
 * `parseWebhook` validates each change and each messaging item on its own: one that is
 * malformed or not for us is reported in `ignored` with where it was and why, and never costs
 * the valid ones delivered beside it. It never throws on input.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { inboundEventSchema, type InboundEvent } from '../../inquiries/inbound.js';
import type { GraphComment } from './graph-client.js';

// ---------------------------------------------------------------------------------------------
// Authenticity

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** True only when `header` is `sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>`. */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!appSecret || typeof header !== 'string') return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The `hub.challenge` to echo back when the GET handshake is a subscription with our verify
 * token; null otherwise (answer 403).
 */
export function verifyHandshake(query: Record<string, unknown>, verifyToken: string): string | null {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (!verifyToken || mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string' || challenge === '') return null;
  const a = Buffer.from(token, 'utf8');
  const b = Buffer.from(verifyToken, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b) ? challenge : null;
}

// ---------------------------------------------------------------------------------------------
// Payload

export interface ParsedWebhook {
  events: InboundEvent[];
  ignored: { reason: string }[];
}

const graphId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const unixSeconds = z.union([z.number().nonnegative(), z.string().regex(/^\d+$/, 'unix seconds')]).transform((v) => new Date(Number(v) * 1000));

const envelope = z.object({
  object: z.string({ error: 'expected "object" to be a string' }),
  entry: z.array(z.unknown(), { error: 'expected "entry" to be an array' }),
});
const entrySchema = z.object({
  id: graphId.optional(),
  changes: z.array(z.unknown()).optional(),
  messaging: z.array(z.unknown()).optional(),
});
const changeHead = z.object({ field: z.string(), value: z.unknown() });
const feedHead = z.object({ item: z.string(), verb: z.string().optional() });
const commentValue = z.object({
  item: z.literal('comment'),
  verb: z.string(),
  comment_id: graphId,
  post_id: graphId,
  parent_id: graphId.optional(),
  from: z.object({ id: graphId, name: z.string().optional() }),
  message: z.string().optional(),
  created_time: unixSeconds,
  photo: z.string().optional(),
  video: z.string().optional(),
});
const attachmentSchema = z.object({
  type: z.string().min(1),
  title: z.string().optional(),
  payload: z
    .looseObject({ url: z.string().optional(), title: z.string().optional() })
    .nullish(),
});
const messagingItem = z.object({
  sender: z.object({ id: graphId }),
  recipient: z.object({ id: graphId }),
  timestamp: z.number().nonnegative(),
  message: z
    .object({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      attachments: z.array(attachmentSchema).optional(),
    })
    .optional(),
});

const COMMENT_VERBS: Record<string, InboundEvent['edit']> = { add: null, edited: 'edited', remove: 'removed' };
/** The messaging keys Facebook uses for events that are not a message from a person. */
const OTHER_MESSAGING = ['postback', 'delivery', 'read', 'reaction', 'optin', 'referral', 'message_edit', 'account_linking', 'policy-enforcement'];

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(value)'}: ${i.message}`).join('; ');
}

function checked(event: InboundEvent, where: string, ignored: ParsedWebhook['ignored']): InboundEvent | null {
  const result = inboundEventSchema.safeParse(event);
  if (result.success) return result.data;
  ignored.push({ reason: `${where}: does not fit the inbound event contract (${describeIssues(result.error)})` });
  return null;
}

/** A comment's thread is its top-level comment: the parent for a reply to a comment, else itself. */
function threadOf(commentId: string, parentId: string | null | undefined, postId: string): string {
  return parentId && parentId !== postId ? parentId : commentId;
}

export function parseWebhook(body: unknown, pageId: string): ParsedWebhook {
  const events: InboundEvent[] = [];
  const ignored: ParsedWebhook['ignored'] = [];
  const top = envelope.safeParse(body);
  if (!top.success) {
    ignored.push({ reason: `not a webhook delivery: ${describeIssues(top.error)}` });
    return { events, ignored };
  }
  if (top.data.object !== 'page') {
    ignored.push({ reason: `object "${top.data.object}" is not a Page subscription` });
    return { events, ignored };
  }
  top.data.entry.forEach((rawEntry, e) => {
    const at = `entry[${e}]`;
    const entry = entrySchema.safeParse(rawEntry);
    if (!entry.success) {
      ignored.push({ reason: `${at}: malformed (${describeIssues(entry.error)})` });
      return;
    }
    if (entry.data.id !== undefined && entry.data.id !== pageId) {
      ignored.push({ reason: `${at}: for Page ${entry.data.id}, not ${pageId}` });
      return;
    }
    if (!entry.data.changes && !entry.data.messaging) {
      ignored.push({ reason: `${at}: has neither changes nor messaging` });
      return;
    }
    entry.data.changes?.forEach((raw, c) => {
      const event = feedChange(raw, `${at}.changes[${c}]`, pageId, ignored);
      if (event) events.push(event);
    });
    entry.data.messaging?.forEach((raw, m) => {
      const event = messagingEvent(raw, `${at}.messaging[${m}]`, pageId, ignored);
      if (event) events.push(event);
    });
  });
  return { events, ignored };
}

function feedChange(raw: unknown, at: string, pageId: string, ignored: ParsedWebhook['ignored']): InboundEvent | null {
  const head = changeHead.safeParse(raw);
  if (!head.success) {
    ignored.push({ reason: `${at}: malformed (${describeIssues(head.error)})` });
    return null;
  }
  if (head.data.field !== 'feed') {
    ignored.push({ reason: `${at}: field "${head.data.field}" is not handled` });
    return null;
  }
  const item = feedHead.safeParse(head.data.value);
  if (!item.success) {
    ignored.push({ reason: `${at}: malformed feed change (${describeIssues(item.error)})` });
    return null;
  }
  if (item.data.item !== 'comment') {
    ignored.push({ reason: `${at}: feed item "${item.data.item}" is not a comment` });
    return null;
  }
  const parsed = commentValue.safeParse(head.data.value);
  if (!parsed.success) {
    ignored.push({ reason: `${at}: malformed comment (${describeIssues(parsed.error)})` });
    return null;
  }
  const v = parsed.data;
  if (!(v.verb in COMMENT_VERBS)) {
    ignored.push({ reason: `${at}: comment verb "${v.verb}" is not handled` });
    return null;
  }
  if (v.from.id === pageId) {
    ignored.push({ reason: `${at}: the Page's own comment` });
    return null;
  }
  const attachments: NonNullable<InboundEvent['attachments']> = [];
  if (v.photo) attachments.push({ type: 'image', url: v.photo, name: null });
  if (v.video) attachments.push({ type: 'video', url: v.video, name: null });
  return checked(
    {
      channel: 'facebook_comment',
      platformId: v.comment_id,
      threadRef: threadOf(v.comment_id, v.parent_id, v.post_id),
      authorId: v.from.id,
      authorName: v.from.name?.normalize('NFC') ?? null,
      text: (v.message ?? '').normalize('NFC'),
      attachments,
      at: v.created_time,
      inReplyToPostRef: v.post_id,
      edit: COMMENT_VERBS[v.verb] ?? null,
    },
    at,
    ignored,
  );
}

function messagingEvent(raw: unknown, at: string, pageId: string, ignored: ParsedWebhook['ignored']): InboundEvent | null {
  const parsed = messagingItem.safeParse(raw);
  if (!parsed.success) {
    ignored.push({ reason: `${at}: malformed messaging event (${describeIssues(parsed.error)})` });
    return null;
  }
  const m = parsed.data;
  if (!m.message) {
    const kind = typeof raw === 'object' && raw !== null ? OTHER_MESSAGING.find((k) => k in raw) : undefined;
    ignored.push({ reason: `${at}: ${kind ? `a "${kind}" event` : 'an event'} without a message` });
    return null;
  }
  if (m.message.is_echo) {
    ignored.push({ reason: `${at}: echo of a message the Page sent` });
    return null;
  }
  if (m.sender.id === pageId) {
    ignored.push({ reason: `${at}: sent by the Page itself` });
    return null;
  }
  if (m.recipient.id !== pageId) {
    ignored.push({ reason: `${at}: addressed to ${m.recipient.id}, not Page ${pageId}` });
    return null;
  }
  const attachments = (m.message.attachments ?? []).map((a) => ({
    type: a.type,
    url: a.payload?.url ?? null,
    name: a.title ?? a.payload?.title ?? null,
  }));
  return checked(
    {
      channel: 'facebook_message',
      platformId: m.message.mid,
      threadRef: m.sender.id,
      authorId: m.sender.id,
      authorName: null,
      text: (m.message.text ?? '').normalize('NFC'),
      attachments,
      at: new Date(m.timestamp),
      inReplyToPostRef: null,
      edit: null,
    },
    at,
    ignored,
  );
}

/**
 * A comment found by the periodic sweep (`GraphClient.recentComments`) as the same inbound event
 * its webhook would have made, so the intake's natural key dedupes the two. Null for the Page's
 * own comments and for comments whose author Graph withholds (nobody to answer).
 */
export function sweptCommentEvent(comment: GraphComment, postId: string, pageId: string): InboundEvent | null {
  if (!comment.from || comment.from.id === pageId) return null;
  const result = inboundEventSchema.safeParse({
    channel: 'facebook_comment',
    platformId: comment.id,
    threadRef: threadOf(comment.id, comment.parentId, postId),
    authorId: comment.from.id,
    authorName: comment.from.name?.normalize('NFC') ?? null,
    text: comment.message.normalize('NFC'),
    attachments: [],
    at: comment.createdTime,
    inReplyToPostRef: postId,
    edit: null,
  } satisfies InboundEvent);
  if (!result.success) throw new TypeError(`swept comment ${comment.id} does not fit the inbound event contract: ${describeIssues(result.error)}`);
  return result.data;
}
