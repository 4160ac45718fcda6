/**
 * Who a post is for, read from its own words: the audiences the center runs programmes for
 * (청년, 신중년 5060, 경력단절여성, 외국인 근로자). They choose a forum post's tags and which opt-in
 * alert roles it pings. A word has to name the group, not merely appear inside another word, and
 * "누구나"-style posts match none (they ping only the kind's role).
 */
import type { DiscordAlertTopic } from './settings.js';

export type DiscordAudience = Extract<DiscordAlertTopic, '청년' | '신중년' | '여성' | '외국인'>;

const AUDIENCE_PATTERNS: readonly [DiscordAudience, RegExp][] = [
  ['청년', /청년(?!몰)|사회\s?초년생|대학생|졸업\s?예정자|(?<!\d)(?:1[5-9]|2\d)\s?세\s?(?:~|-|부터|이상)|(?<!\d)(?:20|30)대|20·30/],
  ['신중년', /신중년|중장년|5060|50\+|50·60|(?<!\d)(?:50|60)대|다시\s?온\s?봄|퇴직\s?(?:예정)?자|은퇴|(?<!\d)(?:5\d|6\d)\s?세\s?(?:~|-|부터|이상)/],
  ['여성', /여성|경력\s?단절|경단녀|새일센터|새로일하기/],
  ['외국인', /외국인|이주\s?(?:노동자|근로자|민)|결혼\s?이민|다문화|고용\s?허가제|\bE-9\b|\bE-7\b|\bH-2\b/i],
];

/** The audiences a post's texts name, in a fixed order. */
export function audiencesIn(texts: readonly string[]): DiscordAudience[] {
  const text = texts.join('\n').normalize('NFC');
  return AUDIENCE_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([audience]) => audience);
}
