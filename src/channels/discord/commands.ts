/**
 * The slash commands members use, registered in the server (guild commands appear at once,
 * global ones take up to an hour) when the gateway starts, and only when they differ from what
 * Discord already has, so a restart does not re-register them.
 */
import { ApplicationCommandOptionType, Routes, type APIApplicationCommand, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { DiscordApi } from './rest.js';

export const COMMAND_NAMES = { jobs: '채용', training: '훈련', lectures: '특강', inquiry: '문의', alerts: '알림' } as const;

const keyword = { type: ApplicationCommandOptionType.String, name: '키워드', description: '찾을 낱말 (예: 생산직, 요양, 컴퓨터)', max_length: 30 } as const;

export const DISCORD_COMMANDS: RESTPostAPIChatInputApplicationCommandsJSONBody[] = [
  {
    name: COMMAND_NAMES.jobs,
    description: '지금 지원할 수 있는 채용정보를 찾아봐요',
    options: [keyword, { type: ApplicationCommandOptionType.String, name: '지역', description: '근무 지역 (예: 봉동, 삼례)', max_length: 20 }],
  },
  { name: COMMAND_NAMES.training, description: '신청할 수 있는 직업훈련 과정을 찾아봐요', options: [keyword] },
  { name: COMMAND_NAMES.lectures, description: '다가오는 특강을 찾아봐요', options: [keyword] },
  { name: COMMAND_NAMES.inquiry, description: '상담사에게 문의를 남겨요 (답변은 DM으로 드려요)' },
  { name: COMMAND_NAMES.alerts, description: '새 소식 알림(채용·훈련·특강·청년·신중년 …)을 켜거나 꺼요' },
];

interface Comparable {
  type: number;
  name: string;
  description: string;
  options: { type: number; name: string; description: string; required: boolean; max_length: number | null }[];
}

/** A command as it matters for members; Discord adds ids, versions and defaults to what it returns. */
function comparable(c: Partial<APIApplicationCommand> | RESTPostAPIChatInputApplicationCommandsJSONBody): Comparable {
  const options = (('options' in c ? c.options : undefined) ?? []) as { type: number; name: string; description: string; required?: boolean; max_length?: number }[];
  return {
    type: (c as { type?: number }).type ?? 1,
    name: c.name ?? '',
    description: c.description ?? '',
    options: options.map((o) => ({ type: o.type, name: o.name, description: o.description, required: o.required === true, max_length: o.max_length ?? null })),
  };
}

export function sameCommands(current: readonly Partial<APIApplicationCommand>[], wanted: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[]): boolean {
  const key = (list: Comparable[]) => JSON.stringify([...list].sort((a, b) => a.name.localeCompare(b.name)));
  return key(current.map(comparable)) === key(wanted.map(comparable));
}

/** Registers the commands in the server when they changed; says which it did. */
export async function registerCommands(api: DiscordApi, applicationId: string, guildId: string): Promise<'unchanged' | 'registered'> {
  const route = Routes.applicationGuildCommands(applicationId, guildId);
  const context = { what: `register the slash commands in server ${guildId}` };
  const current = await api.get<APIApplicationCommand[]>(route, context);
  if (sameCommands(current, DISCORD_COMMANDS)) return 'unchanged';
  await api.put(route, DISCORD_COMMANDS, context);
  return 'registered';
}
