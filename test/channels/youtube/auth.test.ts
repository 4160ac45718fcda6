/**
 * Connecting the YouTube channel: `ontact channels connect youtube` runs the installed-app flow
 * (the emulator plays the browser: consent, redirect to the loopback address, PKCE) and stores the
 * refresh token sealed; a revoked token (invalid_grant) pauses the channel with the reason, and
 * connecting again resumes it in the running process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/app/context.js';
import { ingestItems } from '../../../src/outreach/items.js';
import { getPost, publishNow } from '../../../src/outreach/posts.js';
import { startYouTubeEmulator, type YouTubeEmulator } from '../../emulators/youtube.js';
import { runInstalledAppFlow } from '../../../src/channels/youtube/oauth-flow.js';
import { exitOf, startCli, type CliResult } from '../../helpers/cli.js';
import { openTestContext, testConfig, waitFor } from '../../helpers/context.js';
import { runOpenAction } from '../../helpers/outbound.js';
import { userWithToken } from '../../helpers/users.js';
import { cliEnv, lectureDraft, youtubeLocal } from './helpers.js';

const DATA_KEY = Buffer.alloc(32, 9).toString('base64');
let youtube: YouTubeEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let adminToken: string;

/** The channel's settings and OAuth client, but no refresh token: that is what connecting gives. */
function channelEnv(): NodeJS.ProcessEnv {
  return {
    YOUTUBE_CLIENT_ID: youtube.clientId,
    YOUTUBE_CLIENT_SECRET: youtube.clientSecret,
    YOUTUBE_CHANNEL_ID: youtube.channel.id,
    YOUTUBE_API_URL: youtube.origin,
    ONTACT_CENTER_PHONE: '063-290-0000',
    ONTACT_DATA_KEY: DATA_KEY,
  };
}

beforeAll(async () => {
  youtube = await startYouTubeEmulator({ now: new Date('2026-06-15T01:00:00Z') });
  t = testConfig({ env: channelEnv(), local: youtubeLocal(youtube) });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  adminToken = await userWithToken(ctx, 'yt.admin', 'admin');
});

afterAll(async () => {
  await opened?.close();
  await youtube?.close();
  await t?.cleanup();
});

/** `ontact channels connect youtube` in a child process, with the emulator as the browser. */
async function connectByBrowser(): Promise<CliResult & { consent: { status: number; body: string } }> {
  const child = startCli(['channels', 'connect', 'youtube'], cliEnv(t, { ...channelEnv(), ONTACT_TOKEN: adminToken }));
  const url = await waitFor('the consent address', () => /^(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)$/m.exec(child.output().stderr)?.[1], 30_000);
  const consent = await youtube.completeConsent(url);
  return { ...(await exitOf(child, 30_000)), consent };
}

async function lectureDelivery(key: string, title: string): Promise<number> {
  const { plannedPostIds } = await ingestItems(ctx, 'center-lectures', [lectureDraft(youtube, key, { title })]);
  await publishNow(ctx, plannedPostIds, 'staff:test');
  return (await getPost(ctx, plannedPostIds[0]!)).deliveries.find((d) => d.channel === 'youtube')!.id;
}

describe('connecting the YouTube channel', () => {
  it('stores the refresh token from the browser sign-in; invalid_grant pauses the channel; connecting again resumes it without a restart', async () => {
    expect(ctx.channels.get('youtube').describe().dryRun).toBe(true);
    const connected = await connectByBrowser();
    expect(connected.consent).toMatchObject({ status: 200, body: expect.stringContaining('연결되었어요') });
    expect(connected.code, connected.stderr).toBe(0);
    expect(connected.stdout).toContain('youtube: stored YOUTUBE_REFRESH_TOKEN');
    expect(connected.stdout).toContain('youtube: live');
    const token = (await ctx.channels.credentials.current({ fresh: true })).secrets.youtubeRefreshToken!;
    expect(token).toBeTruthy();
    // Sealed: the table never holds it, and the CLI never printed it.
    expect(JSON.stringify(await ctx.store.db.selectFrom('channel_connections').selectAll().execute())).not.toContain(token);
    expect(connected.stdout + connected.stderr).not.toContain(token);
    const authorize = youtube.requestsTo({ api: 'oauth.authorize' });
    expect(authorize.at(-1)?.query).toMatchObject({ code_challenge_method: 'S256', access_type: 'offline' });

    const first = await lectureDelivery('LEC-AUTH-1', '구직자 디지털 역량 특강');
    expect((await runOpenAction(ctx, 'delivery', first)).outcome).toBe('done');
    expect(youtube.broadcasts()).toHaveLength(1);

    // The owner revokes Ontact's access (or the 7-day token of a "Testing" app runs out).
    youtube.revokeRefreshToken(token);
    const second = await lectureDelivery('LEC-AUTH-2', '청년 창업 특강');
    expect((await runOpenAction(ctx, 'delivery', second)).outcome).toBe('wait');
    const state = await ctx.store.db.selectFrom('channel_states').selectAll().where('channel', '=', 'youtube').executeTakeFirstOrThrow();
    expect(state.status).toBe('needs_reauth');
    expect(state.reason).toContain('invalid_grant');
    expect(state.reason).toContain('7 days');
    expect(state.reason).not.toContain(token);
    const waiting = await ctx.store.db.selectFrom('deliveries').selectAll().where('id', '=', second).executeTakeFirstOrThrow();
    expect(waiting.status).toBe('waiting');

    const again = await connectByBrowser();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resumed, 1 waiting action\(s\) go now/);
    expect((await ctx.store.db.selectFrom('channel_states').select('status').where('channel', '=', 'youtube').executeTakeFirstOrThrow()).status).toBe('ok');
    // The same process, no restart: the new token is used for the waiting broadcast.
    expect((await runOpenAction(ctx, 'delivery', second)).outcome).toBe('done');
    expect(youtube.broadcasts()).toHaveLength(2);
  });

  it('refuses when the owner denies access', async () => {
    youtube.setConsent('deny');
    try {
      let page: { status: number; body: string } | undefined;
      const flow = runInstalledAppFlow({
        clientId: youtube.clientId,
        clientSecret: youtube.clientSecret,
        oauth: ctx.config.channels.youtube.oauth,
        onAuthUrl: async (url) => {
          page = await youtube.completeConsent(url);
        },
      });
      await expect(flow).rejects.toThrow('did not allow access');
      expect(page).toMatchObject({ status: 403, body: expect.stringContaining('연결하지 않았어요') });
    } finally {
      youtube.setConsent('approve');
    }
  });
});
