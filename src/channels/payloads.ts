/**
 * The payload each platform's renderer makes and its channel sends, derived from the registry:
 * `PayloadOf<'discord'>` is Discord's message, `RenderedPayload` any platform's.
 */
import type { ChannelModule } from './module.js';
import type { CHANNEL_MODULES } from './registry.js';
import type { ChannelName } from './settings.js';

type Modules = (typeof CHANNEL_MODULES)[number];

export type PayloadOf<N extends ChannelName> = Extract<Modules, { name: N }> extends ChannelModule<N, infer P> ? P : never;

export type RenderedPayload = { [N in ChannelName]: PayloadOf<N> }[ChannelName];

export type { DiscordActionRow, DiscordEmbed, DiscordEmbedField, DiscordLinkButton, DiscordPayload } from './discord/render.js';
export type { FacebookPayload } from './facebook/render.js';
export type { YouTubePayload } from './youtube/render.js';
