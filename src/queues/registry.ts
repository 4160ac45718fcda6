import { CHANNEL_NAMES, type ChannelName } from '../config/schema.js';

/**
 * Every queue Ontact uses. Outbound calls have one queue per channel so each platform gets its
 * own rate limit and a paused channel never holds up the others. BullMQ forbids `:` in names.
 */
export type OutboundQueueName = `outbound-${ChannelName}`;
export type QueueName = 'ingest' | 'schedule' | OutboundQueueName | 'triage' | 'deadlines' | 'maintenance';

export const QUEUE_NAMES: readonly QueueName[] = ['ingest', 'schedule', ...CHANNEL_NAMES.map(outboundQueueFor), 'triage', 'deadlines', 'maintenance'];

export function outboundQueueFor(channel: ChannelName): OutboundQueueName {
  return `outbound-${channel}`;
}

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

export type OutboundJobName = `outbound.${ChannelName}`;

export function outboundJobFor(channel: ChannelName): OutboundJobName {
  return `outbound.${channel}`;
}

/**
 * Job names and their payloads. Payloads carry ids only: the store holds the state, and nothing
 * personal or secret ever goes into Redis.
 */
export type JobPayloads = {
  /** Poll one configured source. */
  'source.poll': { source: string };
  /** Publish due posts and close items whose deadline passed. */
  'schedule.tick': Record<string, never>;
  /** Read recent comments on Ontact's own Facebook posts, catching what a missed webhook would lose. */
  'facebook.sweep': Record<string, never>;
  /** Classify, route and set the deadline of one stored inquiry (then acknowledge it). */
  'inquiry.triage': { inquiryId: number };
  /** Remind the assignee (at 75 %) or alert the team lead (at 100 %) of a first-response deadline. */
  'inquiry.remind': { inquiryId: number; deadlineVersion: number };
  'inquiry.escalate': { inquiryId: number; deadlineVersion: number };
  /** Drop encrypted originals and anonymise inquiries past their retention. */
  'inquiries.maintain': Record<string, never>;
} & {
  /** Run one outbound action (publish, update, remove, reply, hide, …) on its channel. */
  [N in OutboundJobName]: { actionId: number; /** The action's `requeued` when the job was made: an older job drops itself. */ gen: number };
};
export type JobName = keyof JobPayloads;

const FIXED_JOB_QUEUES = {
  'source.poll': 'ingest',
  'schedule.tick': 'schedule',
  'facebook.sweep': 'maintenance',
  'inquiry.triage': 'triage',
  'inquiry.remind': 'deadlines',
  'inquiry.escalate': 'deadlines',
  'inquiries.maintain': 'maintenance',
} as const satisfies Record<Exclude<JobName, OutboundJobName>, QueueName>;

/** Which queue carries each job. */
export const JOB_QUEUES = {
  ...FIXED_JOB_QUEUES,
  ...(Object.fromEntries(CHANNEL_NAMES.map((channel) => [outboundJobFor(channel), outboundQueueFor(channel)])) as Record<OutboundJobName, OutboundQueueName>),
} as { readonly [N in JobName]: QueueName };

export const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_QUEUES, name);
}

export function queueOfJob(name: JobName): QueueName {
  return JOB_QUEUES[name];
}
