/**
 * What a channel's inbound adapters and jobs are given, built from the application context: its
 * settings, the credentials in force, a logger, the inquiry intake and (for jobs) the store and
 * the pauses. Channels never see the context itself.
 */
import type { InboundDeps, JobDeps } from '../channels/module.js';
import type { ChannelName } from '../channels/settings.js';
import { receiveInbound } from '../inquiries/intake.js';
import { shareItemLink } from '../outreach/items.js';
import type { AppContext } from './context.js';

export function channelInboundDeps<N extends ChannelName>(ctx: AppContext, name: N): InboundDeps<N> {
  return {
    settings: ctx.config.channels[name],
    credentials: async () => (await ctx.channels.credentials.current()).secrets,
    log: ctx.log.child({ channel: name }),
    intake: (event) => receiveInbound(ctx, event),
    intakeLater: (events) => ctx.inboundInbox.accept(name, events),
  };
}

export function channelJobDeps<N extends ChannelName>(ctx: AppContext, name: N): JobDeps<N> {
  return { ...channelInboundDeps(ctx, name), store: ctx.store, pauses: ctx.pauses, shareLink: (link) => shareItemLink(ctx, link) };
}
