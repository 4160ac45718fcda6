/**
 * `ontact doctor` asks Discord (the emulator) what the bot may do: the token, the server, its
 * permissions in each configured channel and in the server, the forum's tags, the alert roles,
 * and the message-content intent; each missing permission is named where it is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDoctor, runDoctor } from '../../../src/cli/doctor.js';
import { startDiscordEmulator, type DiscordEmulator } from '../../emulators/discord.js';
import { dropSchema, TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName } from '../../helpers/context.js';
import { discordEnv, discordLocal, EMULATOR_NOW } from './helpers.js';

let discord: DiscordEmulator;
let dir: string;
// Doctor makes the schema it is given (empty): one for the file, dropped after it.
const schema = uniqueName('t');

beforeAll(async () => {
  discord = await startDiscordEmulator({ now: EMULATOR_NOW });
  dir = mkdtempSync(join(tmpdir(), 'ontact-discord-doctor-'));
  writeFileSync(join(dir, 'local.yaml'), discordLocal(discord, [`forumChannelId: "${discord.ids.forumChannel}"`]));
});

afterAll(async () => {
  await discord?.close();
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

function env(): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(base)) if (/^(FACEBOOK|YOUTUBE|DISCORD)_|^ONTACT_|^DATABASE_/.test(key)) delete base[key];
  return { ...base, ...discordEnv(discord), REDIS_URL: TEST_REDIS_URL, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, ONTACT_CONFIG: join(dir, 'local.yaml') };
}

describe('doctor on the Discord server', () => {
  it('passes a bot that may do everything, and names what is missing where once it may not', async () => {
    const ok = formatDoctor(await runDoctor(env()));
    expect(ok).toMatch(/^PASS {2}channel discord: live: posts are sent to the server/m);
    expect(ok).toMatch(/^PASS {2}channel discord bot: the token is accepted: bot Ontact \(\d+\) in server 완주군일자리지원센터/m);
    expect(ok).toMatch(/^PASS {2}channel discord announcements: #공지사항 \(announcement channel\): the bot can View Channel, Send Messages, Embed Links, Read Message History$/m);
    expect(ok).toMatch(/^PASS {2}channel discord forum: #채용-훈련-정보 \(forum\)/m);
    expect(ok).toMatch(/^PASS {2}channel discord events: the bot can make lectures into scheduled events$/m);
    expect(ok).toMatch(/^PASS {2}channel discord alert roles: members can take 채용 알림, 훈련 알림, 특강 알림 with \/알림$/m);
    expect(ok).toMatch(/^PASS {2}channel discord message content: /m);
    expect(ok).not.toContain(discord.token);

    discord.setChannelOverwrite(discord.ids.announcementChannel, { id: discord.ids.botRole, type: 0, deny: ['SEND_MESSAGES'] });
    discord.setBotPermissions(['VIEW_CHANNEL', 'SEND_MESSAGES', 'EMBED_LINKS', 'READ_MESSAGE_HISTORY', 'MANAGE_THREADS', 'SEND_MESSAGES_IN_THREADS']);
    discord.setMessageContentGranted(false);
    const lacking = formatDoctor(await runDoctor(env()));
    expect(lacking).toMatch(/^FAIL {2}channel discord announcements: #공지사항: the bot lacks Send Messages, Embed Links$/m);
    expect(lacking).toMatch(/^WARN {2}channel discord events: the bot lacks Manage Events \(이벤트 관리\): lectures are posted without their event$/m);
    expect(lacking).toMatch(/^FAIL {2}channel discord alert roles: the bot lacks Manage Roles/m);
    expect(lacking).toMatch(/^WARN {2}channel discord message content: the privileged message-content intent is not granted: .* direct messages, mentions of the bot and \/문의 still work$/m);

    const token = discord.token;
    discord.setToken('another.token.entirely');
    const refused = formatDoctor(await runDoctor({ ...env(), DISCORD_BOT_TOKEN: token }));
    expect(refused).toMatch(/^FAIL {2}channel discord bot: Discord refused the bot token \(401\)\n {6}→ reset the token/m);
  });
});
