import type { AppContext } from '../app/context.js';
import { CHANNEL_NAMES, type ChannelName } from '../config/schema.js';
import type { InboundChannel } from '../inquiries/inbound.js';
import type { Channel } from './channel.js';
import { channelReadiness } from './credentials.js';
import { createLiveFacebookChannel } from './facebook/live.js';
import { createOutboxChannel } from './outbox.js';

/** Builds the live channel for a platform whose credentials are all set. */
export type LiveChannelFactory = (ctx: AppContext) => Channel;

/**
 * Live channel implementations by platform. A platform listed here and fully configured is
 * called for real; every other one runs through the dry-run outbox.
 */
const LIVE_FACTORIES: Partial<Record<ChannelName, LiveChannelFactory>> = {
  facebook: createLiveFacebookChannel,
};

export interface ChannelSet {
  get(name: ChannelName): Channel;
  all(): Channel[];
}

export function createChannels(ctx: AppContext): ChannelSet {
  const channels = new Map<ChannelName, Channel>();
  for (const name of CHANNEL_NAMES) {
    const readiness = channelReadiness(ctx.config, ctx.secrets, name);
    const factory = LIVE_FACTORIES[name];
    if (readiness.live && factory) {
      channels.set(name, factory(ctx));
    } else {
      if (readiness.live && !factory) ctx.log.warn({ channel: name }, `${name}: credentials are set, but this version cannot send to ${name} yet; running dry (outbox only)`);
      channels.set(name, createOutboxChannel(ctx.store, name));
    }
  }
  return {
    get(name) {
      const channel = channels.get(name);
      if (!channel) throw new Error(`unknown channel "${name}"`);
      return channel;
    },
    all: () => [...channels.values()],
  };
}

/** The platform a citizen's message arrived on; phone and walk-in inquiries have none (counselors answer them in person). */
export function channelOfInbound(channel: InboundChannel): ChannelName | null {
  switch (channel) {
    case 'facebook_comment':
    case 'facebook_message':
      return 'facebook';
    case 'youtube_comment':
      return 'youtube';
    case 'discord':
      return 'discord';
    case 'phone':
    case 'walk_in':
      return null;
  }
}
