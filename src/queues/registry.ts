import { CHANNEL_DECLARATIONS, CHANNEL_NAMES, channelJobNames, type ChannelJobName, type ChannelName } from '../channels/settings.js';

/**
 * Every queue Ontact uses. Outbound calls have one queue per channel so each platform gets its
 * own rate limit and a paused channel never holds up the others. BullMQ forbids `:` in names.
 * The channels' queues and jobs derive from the channel declarations (src/channels/settings.ts).
 */
export type OutboundQueueName = `outbound-${ChannelName}`;
export type QueueName = 'ingest' | 'schedule' | OutboundQueueName | 'triage' | 'deadlines' | 'maintenance';

export const QUEUE_NAMES: readonly QueueName[] = queueNamesFor(CHANNEL_NAMES);

/** The queues for these channels, each with its outbound queue, in the order workers list them. */
export function queueNamesFor<N extends string>(channels: readonly N[]): readonly (Exclude<QueueName, OutboundQueueName> | `outbound-${N}`)[] {
  return ['ingest', 'schedule', ...channels.map((c) => `outbound-${c}` as const), 'triage', 'deadlines', 'maintenance'];
}

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
  /** Take in the events webhooks left in the inbound inbox. */
  'inbox.drain': Record<string, never>;
  /** Classify, route and set the deadline of one stored inquiry (then acknowledge it). */
  'inquiry.triage': { inquiryId: number };
  /** Remind the assignee (at 75 %) or alert the team lead (at 100 %) of a first-response deadline. */
  'inquiry.remind': { inquiryId: number; deadlineVersion: number };
  'inquiry.escalate': { inquiryId: number; deadlineVersion: number };
  /** Drop encrypted originals and anonymise inquiries past their retention. */
  'inquiries.maintain': Record<string, never>;
  /** Retrain the triage model with counselors' corrections; switch only to a model that scores at least as well. */
  'triage.retrain': Record<string, never>;
} & {
  /** Run one outbound action (publish, update, remove, reply, hide, …) on its channel. */
  [N in OutboundJobName]: { actionId: number; /** The action's `requeued` when the job was made: an older job drops itself. */ gen: number };
} & {
  /** A channel's own repeating job (the Facebook comment sweep): it carries nothing. */
  [N in ChannelJobName]: Record<string, never>;
};
export type JobName = keyof JobPayloads;

const FIXED_JOB_QUEUES = {
  'source.poll': 'ingest',
  'schedule.tick': 'schedule',
  'inbox.drain': 'triage',
  'inquiry.triage': 'triage',
  'inquiry.remind': 'deadlines',
  'inquiry.escalate': 'deadlines',
  'inquiries.maintain': 'maintenance',
  'triage.retrain': 'maintenance',
} as const satisfies Record<Exclude<JobName, OutboundJobName | ChannelJobName>, QueueName>;

/** Which queue carries each job. */
export const JOB_QUEUES = {
  ...FIXED_JOB_QUEUES,
  ...(Object.fromEntries(CHANNEL_NAMES.map((channel) => [outboundJobFor(channel), outboundQueueFor(channel)])) as Record<OutboundJobName, OutboundQueueName>),
  // A channel's own jobs are housekeeping beside the inquiry maintenance, off the outbound queues' rate limits.
  ...(Object.fromEntries(channelJobNames(CHANNEL_DECLARATIONS).map((job) => [job, 'maintenance'])) as Record<ChannelJobName, 'maintenance'>),
} as { readonly [N in JobName]: QueueName };

export const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_QUEUES, name);
}

export function queueOfJob(name: JobName): QueueName {
  return JOB_QUEUES[name];
}
