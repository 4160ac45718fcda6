import type { AppContext } from '../src/app/context.js';
import type { ProcessorMap } from '../src/queues/worker-pool.js';
import { inquiriesMaintain } from './inquiries-maintain.js';
import { inquiryEscalate, inquiryRemind } from './inquiry-deadline.js';
import { inquiryHide } from './inquiry-hide.js';
import { inquiryReply } from './inquiry-reply.js';
import { inquiryTriage } from './inquiry-triage.js';
import { facebookSweep } from './facebook-sweep.js';
import { publishDelivery } from './publish-delivery.js';
import { scheduleTick } from './schedule-tick.js';
import { sourcePoll } from './source-poll.js';

/**
 * Every job processor, by job name. Each lives in its own file in this folder and stays thin:
 * load by id, call into src/, record the outcome.
 */
export function createProcessors(ctx: AppContext): ProcessorMap {
  const publish = publishDelivery(ctx);
  return {
    'source.poll': sourcePoll(ctx),
    'schedule.tick': scheduleTick(ctx),
    'publish.facebook': publish,
    'publish.youtube': publish,
    'publish.discord': publish,
    'facebook.sweep': facebookSweep(ctx),
    'inquiry.triage': inquiryTriage(ctx),
    'inquiry.reply': inquiryReply(ctx),
    'inquiry.hide': inquiryHide(ctx),
    'inquiry.remind': inquiryRemind(ctx),
    'inquiry.escalate': inquiryEscalate(ctx),
    'inquiries.maintain': inquiriesMaintain(ctx),
  };
}
