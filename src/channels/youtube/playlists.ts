/**
 * Programs' playlists: a lecture or an upload goes into the playlist of its program (다시 온 봄 for
 * 5060, youth programs …), as configured under `channels.youtube.playlists`. A playlist given
 * by title only is found on the channel, or created once, and its id remembered in the store.
 * YouTube keeps a video twice when it is added twice, so the items are read before one is added.
 */
import type { youtube_v3 } from '@googleapis/youtube';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { SettingsOf } from '../module.js';
import type { YouTubeClient } from './client.js';

export interface ProgramPlaylist {
  title: string;
  id?: string;
}

/** What an item says about its program: its `프로그램` field, else its title and summary. */
export interface ProgramHints {
  program: string | null;
  text: string;
}

/** The playlist an item belongs in: the first whose title is its program or one of whose words it contains; else the default; else none. */
export function playlistFor(settings: Pick<SettingsOf<'youtube'>, 'playlists' | 'defaultPlaylist'>, hints: ProgramHints): ProgramPlaylist | null {
  const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
  const program = hints.program ? norm(hints.program) : null;
  const text = norm(hints.text);
  const matches = (p: SettingsOf<'youtube'>['playlists'][number], haystack: string) => p.match.some((word) => haystack.includes(norm(word)));
  const byProgram = program === null ? undefined : settings.playlists.find((p) => norm(p.title) === program || matches(p, program));
  const found = byProgram ?? settings.playlists.find((p) => matches(p, text));
  if (found) return { title: found.title, ...(found.id ? { id: found.id } : {}) };
  return settings.defaultPlaylist.trim() ? { title: settings.defaultPlaylist.trim() } : null;
}

const stateKey = (title: string) => `playlist:${title.normalize('NFC')}`;

/** The playlist's id: configured, remembered, found on the channel by title, or made now. */
export async function resolvePlaylist(client: YouTubeClient, db: Kysely<Database>, playlist: ProgramPlaylist, signal?: AbortSignal): Promise<string> {
  if (playlist.id) return playlist.id;
  const key = stateKey(playlist.title);
  const remembered = await db.selectFrom('youtube_state').select('value').where('key', '=', key).executeTakeFirst();
  const id = remembered?.value.id;
  if (typeof id === 'string') return id;
  let found: string | undefined;
  let pageToken: string | undefined;
  for (let page = 0; page < 10 && found === undefined; page++) {
    const res: youtube_v3.Schema$PlaylistListResponse = await client.call('playlists.list', { priority: 'high', signal }, (o) =>
      client.api.playlists.list({ part: ['id', 'snippet'], mine: true, maxResults: 50, ...(pageToken ? { pageToken } : {}) }, o),
    );
    found = res.items?.find((p) => p.snippet?.title?.normalize('NFC') === playlist.title.normalize('NFC'))?.id ?? undefined;
    pageToken = res.nextPageToken ?? undefined;
    if (!pageToken) break;
  }
  if (found === undefined) {
    const made: youtube_v3.Schema$Playlist = await client.call('playlists.insert', { priority: 'high', signal }, (o) =>
      client.api.playlists.insert({ part: ['snippet', 'status'], requestBody: { snippet: { title: playlist.title, defaultLanguage: 'ko' }, status: { privacyStatus: 'public' } } }, o),
    );
    if (!made.id) throw new Error('YouTube playlists.insert answered without an id');
    found = made.id;
  }
  await db
    .insertInto('youtube_state')
    .values({ key, value: JSON.stringify({ id: found }), updated_at: new Date() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify({ id: found }), updated_at: new Date() }))
    .execute();
  return found;
}

/** Adds the video to the playlist unless it is there already; returns the playlist item's id. */
export async function ensureInPlaylist(client: YouTubeClient, playlistId: string, videoId: string, signal?: AbortSignal): Promise<string> {
  let pageToken: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res: youtube_v3.Schema$PlaylistItemListResponse = await client.call('playlistItems.list', { priority: 'high', signal }, (o) =>
      client.api.playlistItems.list({ part: ['id', 'snippet'], playlistId, maxResults: 50, ...(pageToken ? { pageToken } : {}) }, o),
    );
    const there = res.items?.find((i) => i.snippet?.resourceId?.videoId === videoId);
    if (there?.id) return there.id;
    pageToken = res.nextPageToken ?? undefined;
    if (!pageToken) break;
  }
  const item: youtube_v3.Schema$PlaylistItem = await client.call('playlistItems.insert', { priority: 'high', signal }, (o) =>
    client.api.playlistItems.insert({ part: ['id', 'snippet'], requestBody: { snippet: { playlistId, resourceId: { kind: 'youtube#video', videoId } } } }, o),
  );
  if (!item.id) throw new Error('YouTube playlistItems.insert answered without an id');
  return item.id;
}
