import type { AppContext } from '../src/app/context.js';
import { CHANNEL_NAMES } from '../src/config/schema.js';
import { hideActionHandler } from '../src/inquiries/hide.js';
import { replyActionHandler } from '../src/inquiries/replies.js';
import { OutboundEngine } from '../src/outbound/engine.js';
import { deliveryActionHandler } from '../src/outreach/delivery-actions.js';
import { outboundJobFor } from '../src/queues/registry.js';
import type { JobProcessor, ProcessorMap } from '../src/queues/worker-pool.js';
import { channelJobProcessors } from './channel-job.js';
import { inboxDrain } from './inbox-drain.js';
import { inquiriesMaintain } from './inquiries-maintain.js';
import { inquiryEscalate, inquiryRemind } from './inquiry-deadline.js';
import { inquiryTriage } from './inquiry-triage.js';
import { runAction } from './run-action.js';
import { scheduleTick } from './schedule-tick.js';
import { sourcePoll } from './source-poll.js';
import { triageRetrain } from './triage-retrain.js';

/** The one outbound engine, with what each kind of subject means (posts' copies, replies, hidden comments). */
export function createOutboundEngine(ctx: AppContext): OutboundEngine {
  return new OutboundEngine(ctx, [deliveryActionHandler(ctx), replyActionHandler(ctx), hideActionHandler(ctx)]);
}

/**
 * Every job processor, by job name. Each lives in its own file in this folder and stays thin:
 * load by id, call into src/, record the outcome.
 */
export function createProcessors(ctx: AppContext): ProcessorMap {
  const outbound = runAction(createOutboundEngine(ctx)) as JobProcessor<`outbound.${(typeof CHANNEL_NAMES)[number]}`>;
  return {
    'source.poll': sourcePoll(ctx),
    'schedule.tick': scheduleTick(ctx),
    ...Object.fromEntries(CHANNEL_NAMES.map((channel) => [outboundJobFor(channel), outbound])),
    ...channelJobProcessors(ctx),
    'inbox.drain': inboxDrain(ctx),
    'inquiry.triage': inquiryTriage(ctx),
    'inquiry.remind': inquiryRemind(ctx),
    'inquiry.escalate': inquiryEscalate(ctx),
    'inquiries.maintain': inquiriesMaintain(ctx),
    'triage.retrain': triageRetrain(ctx),
  };
}
