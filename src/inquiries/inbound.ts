import { z } from 'zod';

/**
 * Where an inquiry came from. Public channels (comments, and messages in the Discord server,
 * which every member reads) are seen by others, so personal data in them is flagged for hiding;
 * private ones (messages, phone, visits) are not. A channel that carries both (Discord: server
 * threads, and direct messages or forms only the center reads) marks its private events.
 */
export const INBOUND_CHANNELS = ['facebook_comment', 'facebook_message', 'youtube_comment', 'discord', 'phone', 'walk_in'] as const;
export type InboundChannel = (typeof INBOUND_CHANNELS)[number];
export const PUBLIC_CHANNELS: ReadonlySet<InboundChannel> = new Set(['facebook_comment', 'youtube_comment', 'discord']);

/**
 * The one intake contract every channel delivers: a normalised inbound event. It is stored
 * durably exactly once, keyed by (channel, platformId), before anything acknowledges it.
 */
export const inboundEventSchema = z.strictObject({
  channel: z.enum(INBOUND_CHANNELS),
  /** The platform's own id for this message or comment; with `channel`, the natural key. */
  platformId: z.string().min(1).max(512),
  /** The conversation or thread it belongs to (comment thread root, Messenger PSID, Discord channel/thread). */
  threadRef: z.string().max(512).nullable(),
  authorId: z.string().min(1).max(512),
  authorName: z.string().max(512).nullable(),
  /** As the citizen wrote it; may be empty (an attachment alone) and may be long. */
  text: z.string().max(200_000),
  attachments: z
    .array(z.strictObject({ type: z.string().max(64), url: z.string().max(4096).nullable(), name: z.string().max(512).nullable() }))
    .max(50)
    .default([]),
  at: z.date(),
  /** The platform id of Ontact's own post this answers, when it answers one. */
  inReplyToPostRef: z.string().max(512).nullable().default(null),
  /** A correction of an earlier event (an edited comment) or its removal. */
  edit: z.enum(['edited', 'removed']).nullable().default(null),
  /** Written where only the center reads it, on a channel that is otherwise public (a Discord direct message or form). */
  private: z.boolean().default(false),
});

/** Whether others can read the message: its channel is public and the channel did not mark it private. */
export function isPublicEvent(event: Pick<ValidInboundEvent, 'channel' | 'private'>): boolean {
  return PUBLIC_CHANNELS.has(event.channel) && !event.private;
}

export type InboundEvent = z.input<typeof inboundEventSchema>;
export type ValidInboundEvent = z.output<typeof inboundEventSchema>;
