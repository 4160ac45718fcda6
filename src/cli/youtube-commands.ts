import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseKstInput } from '../time/kst.js';
import { UsageError } from './errors.js';
import { clip, kst, table } from './format.js';

async function client<T>(fn: (c: import('./client.js').Client) => Promise<T>): Promise<T> {
  const { withClient } = await import('./client.js');
  return withClient(fn);
}

interface UploadView {
  id: number;
  status: string;
  title: string;
  file: string;
  fileSize: number;
  acknowledgedBytes: number;
  publishAt: string | null;
  playlist: string | null;
  videoId: string | null;
  url: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  created?: boolean;
  note?: string | null;
}

interface QuotaView {
  summary: string;
}

function parseId(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`expected a number, found "${value}"`);
  return Number(value);
}

function parseAt(value: string, option = '--at'): string {
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(value.trim())) throw new UsageError(`${option}: give the time as well as the date, e.g. "${value.trim()} 09:00" (KST)`);
  const at = parseKstInput(value);
  if (!at) throw new UsageError(`${option}: expected a KST time such as "2026-12-03 14:00", found "${value}"`);
  return at.toISOString();
}

function progress(u: UploadView): string {
  const percent = u.fileSize > 0 ? Math.floor((u.acknowledgedBytes / u.fileSize) * 100) : 0;
  if (u.status === 'done') return `done: ${u.url ?? u.videoId}${u.publishAt ? ` (private until ${kst(u.publishAt)})` : ''}`;
  if (u.status === 'failed') return `failed: ${u.lastError ?? 'no reason recorded'}`;
  if (u.status === 'waiting') return `${percent}% sent, waiting until ${kst(u.nextAttemptAt)}: ${u.lastError ?? ''}`;
  return `${u.status}, ${percent}% sent`;
}

/** `ontact youtube …`: video uploads, a lecture's thumbnail, and the day's quota. */
export function registerYouTubeCommands(program: Command): void {
  const youtube = program.command('youtube').description('the YouTube channel: upload videos, set a lecture thumbnail, see the quota');

  youtube
    .command('upload')
    .description('upload a video (resumable: it carries on after a crash or a dropped connection; the same file for the same item is uploaded once)')
    .argument('<file>', 'the video file (the Ontact server reads it: give a path it can open)')
    .option('--item <id>', 'the item it belongs to: its title and description come from templates/youtube/upload.yaml', parseId)
    .option('--at <time>', 'publish at this KST time ("2026-12-10 14:00"); until then the video is private')
    .option('--title <title>', 'the title (required without --item)')
    .option('--description <text>', 'the description')
    .option('--thumbnail <file>', 'a PNG or JPEG thumbnail, at most 2 MB')
    .option('--playlist <title>', "the playlist (default: the item's program playlist)")
    .option('--wait', 'wait until the upload is done or fails, showing how far it got')
    .action(async (file: string, options: { item?: number; at?: string; title?: string; description?: string; thumbnail?: string; playlist?: string; wait?: boolean }) => {
      await client(async (c) => {
        let upload = await c.call<UploadView>('youtube.uploads.create', {
          file: resolve(file),
          ...(options.item !== undefined ? { itemId: options.item } : {}),
          ...(options.at ? { at: parseAt(options.at) } : {}),
          ...(options.title !== undefined ? { title: options.title } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(options.thumbnail !== undefined ? { thumbnail: resolve(options.thumbnail) } : {}),
          ...(options.playlist !== undefined ? { playlist: options.playlist } : {}),
        });
        process.stdout.write(`upload ${upload.id}: "${upload.title}"; ${progress(upload)}\n`);
        if (upload.note) process.stderr.write(`note: ${upload.note}\n`);
        if (!options.wait) return;
        let shown = progress(upload);
        while (upload.status !== 'done' && upload.status !== 'failed') {
          await new Promise((r) => setTimeout(r, 2000));
          upload = await c.call<UploadView>('youtube.uploads.get', { id: upload.id });
          const now = progress(upload);
          if (now !== shown) process.stdout.write(`upload ${upload.id}: ${now}\n`);
          shown = now;
        }
        if (upload.status === 'failed') process.exitCode = 1;
      });
    });

  youtube
    .command('lecture')
    .description('add a lecture by hand: stored as a lecture item and posted by the posting rules, a scheduled live broadcast on YouTube')
    .requiredOption('--title <title>', 'the lecture title')
    .requiredOption('--start <time>', 'when it starts, in KST: "2026-12-10 14:00"')
    .option('--end <time>', 'when it ends, in KST (default: channels.youtube.broadcasts.defaultMinutes after the start)')
    .option('--summary <text>', 'what it is about')
    .option('--place <place>', 'where (default: 온라인 (유튜브 생중계))')
    .option('--link <url>', 'a page about it')
    .option('--program <name>', "its program, which picks its playlist (e.g. 다시 온 봄)")
    .option('--now', 'publish its posts now instead of at the next slot')
    .action(async (options: { title: string; start: string; end?: string; summary?: string; place?: string; link?: string; program?: string; now?: boolean }) => {
      await client(async (c) => {
        const r = await c.call<{ itemId: number; postIds: number[]; published: number; note: string | null }>('youtube.lectures.create', {
          title: options.title,
          startsAt: parseAt(options.start, '--start'),
          ...(options.end ? { endsAt: parseAt(options.end, '--end') } : {}),
          ...(options.summary !== undefined ? { summary: options.summary } : {}),
          ...(options.place !== undefined ? { place: options.place } : {}),
          ...(options.link !== undefined ? { link: options.link } : {}),
          ...(options.program !== undefined ? { program: options.program } : {}),
          ...(options.now ? { now: true } : {}),
        });
        process.stdout.write(`item ${r.itemId}: post${r.postIds.length === 1 ? '' : 's'} ${r.postIds.join(', ') || '(none)'}${options.now ? `, ${r.published} publishing now` : ''}\n`);
        if (r.note) process.stderr.write(`note: ${r.note}\n`);
      });
    });

  youtube
    .command('uploads')
    .description('recent uploads and how far each got')
    .option('--limit <n>', 'how many', parseId, 20)
    .action(async (options: { limit: number }) => {
      await client(async (c) => {
        const rows = await c.call<UploadView[]>('youtube.uploads.list', { limit: options.limit });
        process.stdout.write(`${rows.length ? table(['id', 'title', 'state'], rows.map((u) => [u.id, clip(u.title), progress(u)])) : 'no uploads'}\n`);
      });
    });

  youtube
    .command('thumbnail')
    .description("use an image as the thumbnail of a lecture's broadcast instead of the generated card")
    .argument('<item>', 'the lecture item', parseId)
    .argument('<file>', 'a PNG or JPEG, at most 2 MB (the server reads it)')
    .action(async (item: number, file: string) => {
      await client(async (c) => {
        const r = await c.call<{ itemId: number; broadcastsUpdated: number }>('youtube.thumbnails.set', { itemId: item, file: resolve(file) });
        process.stdout.write(`item ${r.itemId}: thumbnail stored; ${r.broadcastsUpdated} broadcast(s) will show it\n`);
      });
    });

  youtube
    .command('quota')
    .description("today's quota: units used and left, uploads, when the Pacific day turns")
    .action(async () => {
      await client(async (c) => {
        process.stdout.write(`${(await c.call<QuotaView>('youtube.quota')).summary}\n`);
      });
    });
}

/**
 * `ontact channels connect youtube`: the installed-app flow (a browser sign-in with the channel
 * owner's Google account, redirected back to this machine), then the refresh token is stored
 * sealed through the ordinary connection. The OAuth client's id and secret come from standard
 * input (NAME=value lines) or the environment; a YOUTUBE_REFRESH_TOKEN given on standard input is
 * stored as it is, without the flow.
 */
export async function connectYouTube(readSecrets: () => Promise<Record<string, string>>): Promise<void> {
  const { loadConfig } = await import('../config/load.js');
  const loaded = loadConfig();
  const needsInput = !loaded.secrets.youtubeClientId || !loaded.secrets.youtubeClientSecret;
  const given = !process.stdin.isTTY || needsInput ? await readSecrets() : {};
  const unknown = Object.keys(given).filter((k) => !['YOUTUBE_CLIENT_ID', 'YOUTUBE_CLIENT_SECRET', 'YOUTUBE_REFRESH_TOKEN'].includes(k));
  if (unknown.length > 0) throw new UsageError(`${unknown.join(', ')}: not a YouTube secret (YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET, YOUTUBE_REFRESH_TOKEN)`);
  const clientId = given.YOUTUBE_CLIENT_ID ?? loaded.secrets.youtubeClientId;
  const clientSecret = given.YOUTUBE_CLIENT_SECRET ?? loaded.secrets.youtubeClientSecret;
  if (!clientId || !clientSecret) {
    throw new UsageError('give the OAuth client as YOUTUBE_CLIENT_ID=… and YOUTUBE_CLIENT_SECRET=… lines on standard input (or in the environment); see README, "The YouTube channel"');
  }
  const secrets: Record<string, string> = { ...given };
  if (!given.YOUTUBE_REFRESH_TOKEN) {
    const { runInstalledAppFlow, ConsentError } = await import('../channels/youtube/oauth-flow.js');
    try {
      const grant = await runInstalledAppFlow({
        clientId,
        clientSecret,
        oauth: loaded.config.channels.youtube.oauth,
        onAuthUrl: (url) => {
          process.stderr.write(`이 주소를 브라우저에서 열고, 유튜브 채널 소유자의 Google 계정으로 로그인해 권한을 허락해 주세요:\n\n${url}\n\n(허락하면 이 컴퓨터로 돌아와 연결을 마쳐요. 5분 안에 해 주세요.)\n`);
        },
      });
      secrets.YOUTUBE_REFRESH_TOKEN = grant.refreshToken;
    } catch (error) {
      if (error instanceof ConsentError) throw new UsageError(`youtube: ${error.message}`);
      throw error;
    }
  }
  const { withClient } = await import('./client.js');
  await withClient(async (c) => {
    const r = await c.call<{ channel: string; stored: string[]; shadowedByEnv: string[]; resumed: boolean; woken: number; status: { mode: string; dry: { detail: string } | null } }>('channels.connect', { name: 'youtube', secrets });
    process.stdout.write(`${r.channel}: stored ${r.stored.join(', ')}${r.resumed ? `; resumed, ${r.woken} waiting action(s) go now` : ''}\n${r.channel}: ${r.status.mode === 'live' ? 'live' : `dry-run (${r.status.dry?.detail ?? 'nothing is sent'})`}\n`);
    if (r.shadowedByEnv.length > 0) process.stderr.write(`note: ${r.shadowedByEnv.join(', ')} are also set in the environment, which wins over the stored value\n`);
  });
}
