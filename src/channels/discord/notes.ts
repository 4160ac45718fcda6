/**
 * The plain parts of the interest job (see interest.ts) that the channel's module needs at start-up:
 * they import nothing from discord.js, so listing the module does not load it.
 */

export const DISCORD_INTEREST_EVERY_MS = 10 * 60_000;

export interface EventFacts {
  id: string;
  status: string;
  interested: number | null;
  startsAt: string;
  endsAt: string | null;
  location: string | null;
  checkedAt: string;
}

/** What staff read about a Discord copy from those facts. */
export function discordPlatformNotes(data: Record<string, unknown>): string[] {
  const event = data.event as Partial<EventFacts> | undefined;
  if (!event?.id) return [];
  const status: Record<string, string> = { scheduled: '예정', active: '진행 중', completed: '끝남', cancelled: '취소됨' };
  const count = typeof event.interested === 'number' ? `관심 있음 ${event.interested.toLocaleString('ko-KR')}명` : '관심 인원 모름';
  return [`서버 이벤트 ${event.id} (${status[event.status ?? ''] ?? event.status ?? '?'}): ${count}`];
}
