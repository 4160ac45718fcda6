/**
 * The YouTube channel. This version renders its posts (title and description) but cannot send
 * them yet: it always runs dry, and status, start-up and doctor say "not yet". Its live channel
 * (uploads, comments, live chat) comes in a later issue.
 */
import type { ChannelModule } from '../module.js';
import { YOUTUBE_REPLY_MAX } from './limits.js';
import { youtubeRender, type YouTubePayload } from './render.js';
import { youtubeDeclaration } from './settings.js';

export const youtube: ChannelModule<'youtube', YouTubePayload> = {
  ...youtubeDeclaration,
  liveSupported: false,
  liveSummary: 'posts are sent to the YouTube channel',
  // Resumable uploads and the Data API's slow answers: a call may take this long.
  callTimeoutMs: () => 30_000,
  render: youtubeRender,
  replies: {
    maxLength: YOUTUBE_REPLY_MAX,
    // A comment is answered in its thread; YouTube has no private messages.
    visibilities: { youtube_comment: ['public'] },
    publicNoteForPrivateAnswer: [],
  },
  inbound: ['youtube_comment'],
  emulator: 'test/emulators/youtube.ts',
  doctor: {
    reauthorise: 'have the channel owner consent again and run `ontact channels connect youtube` with the new YOUTUBE_REFRESH_TOKEN (or set it and restart Ontact)',
  },
};
