import type { ChannelName } from '../config/schema.js';

/**
 * Every queue Ontact uses. Publishing has one queue per channel so each platform gets its own
 * rate limit and a paused channel never holds up the others. BullMQ forbids `:` in names.
 */
export const PUBLISH_QUEUE_CHANNELS = ['facebook', 'youtube', 'discord'] as const satisfies readonly ChannelName[];

export const QUEUE_NAMES = [
  'ingest',
  'schedule',
  'publish-facebook',
  'publish-youtube',
  'publish-discord',
  'triage',
  'replies',
  'deadlines',
  'maintenance',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export function publishQueueFor(channel: ChannelName): QueueName {
  return `publish-${channel}`;
}

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

/**
 * Job names and their payloads. Payloads carry ids and versions only: the store holds the
 * state, and nothing personal or secret ever goes into Redis.
 * Later work adds its jobs here and its processor in `jobs/`.
 */
export interface JobPayloads {
  /** Poll one configured source. */
  'source.poll': { source: string };
  /** Publish due posts, close items whose deadline passed, re-queue deliveries whose job was lost. */
  'schedule.tick': Record<string, never>;
  /** Bring one delivery's platform copy in step with its post (publish, update, remove). */
  'publish.facebook': { deliveryId: number };
  'publish.youtube': { deliveryId: number };
  'publish.discord': { deliveryId: number };
  /** Read recent comments on Ontact's own Facebook posts, catching what a missed webhook would lose. */
  'facebook.sweep': Record<string, never>;
  /** Classify, route and set the deadline of one stored inquiry (then acknowledge it). */
  'inquiry.triage': { inquiryId: number };
  /** Deliver one reply (an acknowledgement or a counselor's answer) through its channel. */
  'inquiry.reply': { replyId: number };
  /** Ask the channel to hide a public comment that shows personal data. */
  'inquiry.hide': { inquiryId: number };
  /** Remind the assignee (at 75 %) or alert the team lead (at 100 %) of a first-response deadline. */
  'inquiry.remind': { inquiryId: number; deadlineVersion: number };
  'inquiry.escalate': { inquiryId: number; deadlineVersion: number };
  /** Drop encrypted originals and anonymise inquiries past their retention; re-queue stranded work. */
  'inquiries.maintain': Record<string, never>;
}
export type JobName = keyof JobPayloads;

/** Which queue carries each job. */
export const JOB_QUEUES: { [N in JobName]: QueueName } = {
  'source.poll': 'ingest',
  'schedule.tick': 'schedule',
  'publish.facebook': 'publish-facebook',
  'publish.youtube': 'publish-youtube',
  'publish.discord': 'publish-discord',
  'facebook.sweep': 'maintenance',
  'inquiry.triage': 'triage',
  'inquiry.reply': 'replies',
  'inquiry.hide': 'replies',
  'inquiry.remind': 'deadlines',
  'inquiry.escalate': 'deadlines',
  'inquiries.maintain': 'maintenance',
};

export function queueOfJob(name: JobName): QueueName {
  return JOB_QUEUES[name];
}
