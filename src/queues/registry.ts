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
}
export type JobName = keyof JobPayloads;

/** Which queue carries each job. */
export const JOB_QUEUES: { [N in JobName]: QueueName } = {
  'source.poll': 'ingest',
};

export function queueOfJob(name: JobName): QueueName {
  return JOB_QUEUES[name];
}
