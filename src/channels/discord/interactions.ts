/**
 * What members do with the bot's commands and buttons: /채용 /훈련 /특강 list open items from the
 * store (ephemeral, five to a page, with 이전/다음 buttons), /문의 opens a form whose submission
 * is an inquiry, /알림 shows the alert roles to switch on or off. Every interaction is answered
 * within Discord's three seconds: at once when the work is quick, else deferred and then edited.
 * A /문의 submission is stored through the intake before the member is told it was received.
 */
import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  Routes,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { GatewayDeps, OpenItemsPage, OpenItemsQuery } from '../module.js';
import { COMMAND_NAMES } from './commands.js';
import { escapeDiscordText, escapeDiscordUrl } from './escape.js';
import { DISCORD_ALERT_TOPICS, type DiscordAlertTopic } from './settings.js';

/** How long work may run before the interaction is deferred; Discord's limit is 3 s. */
const ANSWER_BUDGET_MS = 2_000;
const PAGE_SIZE = 5;
const LIST = 'ontact:list';
const ALERT = 'ontact:alert';
const INQUIRY = 'ontact:inquiry';

interface Answer {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

const KIND_OF_COMMAND: Record<string, OpenItemsQuery['kind']> = { [COMMAND_NAMES.jobs]: 'job', [COMMAND_NAMES.training]: 'training', [COMMAND_NAMES.lectures]: 'lecture' };
const KIND_LABEL: Record<OpenItemsQuery['kind'], string> = { job: '채용정보', training: '직업훈련 과정', lecture: '특강' };

export interface InteractionDeps {
  deps: GatewayDeps<'discord'>;
  log: Logger;
}

/** Answers in time: the work's answer at once, or a deferral and then the answer. */
async function answer(i: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction, mode: 'reply' | 'update', work: () => Promise<Answer>): Promise<void> {
  const running = work();
  const quick = await Promise.race([running.then((a) => ({ a }), () => null), new Promise<null>((r) => setTimeout(() => r(null), ANSWER_BUDGET_MS).unref())]);
  if (quick) {
    if (mode === 'update' && i.isButton()) await i.update({ ...quick.a });
    else await i.reply({ ...quick.a, flags: MessageFlags.Ephemeral });
    return;
  }
  if (mode === 'update' && i.isButton()) await i.deferUpdate();
  else await i.deferReply({ flags: MessageFlags.Ephemeral });
  let result: Answer;
  try {
    result = await running;
  } catch (error) {
    await i.editReply({ content: '지금은 처리하지 못했어요. 잠시 후 다시 해 주세요.', embeds: [], components: [] });
    throw error;
  }
  await i.editReply(result);
}

/** Keeps custom ids within Discord's 100 characters and free of our separator. */
function clean(text: string | null, max: number): string {
  return (text ?? '').replace(/[:\n]/g, ' ').trim().slice(0, max);
}

export function listCustomId(query: Pick<OpenItemsQuery, 'kind' | 'keyword' | 'region'>, page: number): string {
  return [LIST, query.kind, String(page), clean(query.keyword ?? '', 30), clean(query.region ?? '', 20)].join(':');
}

function parseListId(id: string): OpenItemsQuery | null {
  const [, , kind, page, keyword, region] = id.split(':');
  if (kind !== 'job' && kind !== 'training' && kind !== 'lecture') return null;
  const n = Number(page);
  if (!Number.isInteger(n) || n < 1) return null;
  return { kind, page: n, pageSize: PAGE_SIZE, ...(keyword ? { keyword } : {}), ...(region ? { region } : {}) };
}

/** One page of open items as an ephemeral message, with 이전/다음 when there is more. */
export function listAnswer(query: OpenItemsQuery, page: OpenItemsPage): Answer {
  const label = KIND_LABEL[query.kind];
  const filters = [query.region, query.keyword].filter(Boolean).join(' · ');
  if (page.total === 0) {
    return { content: filters ? `‘${escapeDiscordText(filters)}’에 맞는 ${label}가 지금은 없어요. 다른 낱말로 찾아보세요.` : `지금 열려 있는 ${label}가 없어요. 새 소식은 /알림 으로 받아 보세요.`, embeds: [], components: [] };
  }
  const pages = Math.max(1, Math.ceil(page.total / query.pageSize));
  const first = (query.page - 1) * query.pageSize + 1;
  const lines = page.items.map((item, n) => {
    const title = escapeDiscordText(item.title);
    const head = item.link ? `**${first + n}. [${title}](${escapeDiscordUrl(item.link)})**` : `**${first + n}. ${title}**`;
    const who = [item.organisation, item.place].filter(Boolean).map((s) => escapeDiscordText(s!)).join(' · ');
    const when = [item.when ? `일시 ${escapeDiscordText(item.when)}` : null, item.deadline ? `마감 ${escapeDiscordText(item.deadline)}` : null].filter(Boolean).join(' · ');
    const post = item.postUrl ? ` · [게시물 보기](${item.postUrl})` : '';
    return [head, who, `${when}${post}`].filter((l) => l !== '').join('\n');
  });
  const embed: APIEmbed = {
    title: `${label}${filters ? ` (${filters.slice(0, 60)})` : ''} ${page.total.toLocaleString('ko-KR')}건`,
    description: lines.join('\n\n').slice(0, 4000),
    color: 0x2e7d32,
    footer: { text: `${query.page} / ${pages}쪽 · 제목을 누르면 공고를 볼 수 있어요` },
  };
  const buttons: APIButtonComponent[] = [
    { type: ComponentType.Button, style: ButtonStyle.Secondary, label: '◀ 이전', custom_id: listCustomId(query, Math.max(1, query.page - 1)), disabled: query.page <= 1 },
    { type: ComponentType.Button, style: ButtonStyle.Secondary, label: '다음 ▶', custom_id: listCustomId(query, Math.min(pages, query.page + 1)), disabled: query.page >= pages },
  ];
  return { content: '', embeds: [embed], components: pages > 1 ? [{ type: ComponentType.ActionRow, components: buttons }] : [] };
}

function memberRoles(i: Interaction): string[] {
  const roles = i.member?.roles;
  if (!roles) return [];
  return Array.isArray(roles) ? roles : [...roles.cache.keys()];
}

/** The alert roles as toggle buttons: green when on. */
export function alertsAnswer(roles: Partial<Record<DiscordAlertTopic, string>>, has: readonly string[]): Answer {
  const topics = DISCORD_ALERT_TOPICS.filter((t) => roles[t]);
  if (topics.length === 0) return { content: '이 서버에는 아직 알림 역할이 없어요.', embeds: [], components: [] };
  const buttons: APIButtonComponent[] = topics.map((t) => {
    const on = has.includes(roles[t]!);
    return { type: ComponentType.Button, style: on ? ButtonStyle.Success : ButtonStyle.Secondary, label: `${t} 알림 ${on ? '켜짐' : '꺼짐'}`, custom_id: `${ALERT}:${t}` };
  });
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let k = 0; k < buttons.length; k += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(k, k + 5) });
  return {
    content: '받고 싶은 알림을 눌러 켜거나 끄세요. 켜 둔 알림만, 그 소식이 올라올 때 멘션해 드려요.',
    embeds: [],
    components: rows,
  };
}

const inquiryModal = {
  custom_id: INQUIRY,
  title: '상담사에게 문의하기',
  components: [
    { type: ComponentType.Label, label: '무엇에 대한 문의인가요?', component: { type: ComponentType.TextInput, custom_id: 'topic', style: TextInputStyle.Short, max_length: 100, required: true, placeholder: '예: 국민취업지원제도 신청' } },
    {
      type: ComponentType.Label,
      label: '문의 내용',
      component: { type: ComponentType.TextInput, custom_id: 'text', style: TextInputStyle.Paragraph, max_length: 2000, required: true, placeholder: '주민등록번호 같은 개인정보는 쓰지 않아도 돼요. 답변은 DM으로 드려요.' },
    },
  ],
};

export async function handleInteraction(i: Interaction, { deps, log }: InteractionDeps): Promise<void> {
  const { settings } = deps;
  if (i.isChatInputCommand()) {
    const kind = KIND_OF_COMMAND[i.commandName];
    if (kind) {
      const query: OpenItemsQuery = { kind, page: 1, pageSize: PAGE_SIZE };
      const keyword = clean(i.options.getString('키워드'), 30);
      const region = kind === 'job' ? clean(i.options.getString('지역'), 20) : '';
      if (keyword) query.keyword = keyword;
      if (region) query.region = region;
      await answer(i, 'reply', async () => listAnswer(query, await deps.openItems(query)));
      return;
    }
    if (i.commandName === COMMAND_NAMES.inquiry) {
      // A form must be the first answer: it cannot be deferred.
      await i.showModal(inquiryModal as never);
      return;
    }
    if (i.commandName === COMMAND_NAMES.alerts) {
      await answer(i, 'reply', async () => alertsAnswer(settings.alertRoles, memberRoles(i)));
      return;
    }
    await i.reply({ content: '이 명령은 아직 준비 중이에요.', flags: MessageFlags.Ephemeral });
    return;
  }
  if (i.isButton()) {
    if (i.customId.startsWith(`${LIST}:`)) {
      const query = parseListId(i.customId);
      if (!query) return;
      await answer(i, 'update', async () => listAnswer(query, await deps.openItems(query)));
      return;
    }
    if (i.customId.startsWith(`${ALERT}:`)) {
      const topic = i.customId.slice(ALERT.length + 1) as DiscordAlertTopic;
      const role = settings.alertRoles[topic];
      if (!role || !i.guildId) return;
      await answer(i, 'update', async () => {
        const has = memberRoles(i);
        const on = has.includes(role);
        const route = Routes.guildMemberRole(i.guildId!, i.user.id, role);
        try {
          await (on ? i.client.rest.delete(route, { reason: `${topic} 알림 끄기 (/알림)` }) : i.client.rest.put(route, { reason: `${topic} 알림 켜기 (/알림)` }));
        } catch (error) {
          log.error({ topic, code: (error as { code?: unknown }).code, reason: (error as Error).message }, 'discord: could not change an alert role (see `ontact doctor`)');
          return { content: '알림을 바꾸지 못했어요. 센터에 알려 주세요.', embeds: [], components: [] };
        }
        return alertsAnswer(settings.alertRoles, on ? has.filter((r) => r !== role) : [...has, role]);
      });
      return;
    }
    return;
  }
  if (i.isModalSubmit() && i.customId === INQUIRY) {
    await answer(i, 'reply', async () => {
      const topic = i.fields.getTextInputValue('topic').trim();
      const text = i.fields.getTextInputValue('text').trim();
      // Stored first: only then is the member told it was received.
      await deps.intake({
        channel: 'discord',
        platformId: `interaction/${i.id}`,
        threadRef: `modal:${i.channelId ?? ''}`,
        authorId: i.user.id,
        authorName: (i.member && 'nick' in i.member ? i.member.nick : null) ?? i.user.globalName ?? i.user.username,
        text: topic ? `[${topic}] ${text}` : text,
        attachments: [],
        at: i.createdAt,
        inReplyToPostRef: null,
        // A form goes to the center alone, and its answer by direct message.
        private: true,
      });
      return { content: '문의가 접수되었어요. 상담사가 확인하고 DM으로 답변을 보내 드려요. (서버 설정에서 ‘다이렉트 메시지’를 허용해 두세요.)', embeds: [], components: [] };
    });
  }
}
