/**
 * A rough language guess for routing and for picking the reply language: by script first, then,
 * for Latin script, by a handful of common words. It is meant for the languages a Korean job
 * centre actually sees (Korean, English, and those of migrant workers and marriage migrants);
 * anything it cannot tell is `und` rather than a confident wrong answer.
 */

export const LANGUAGES = ['ko', 'en', 'vi', 'zh', 'ja', 'th', 'ru', 'mn', 'uz', 'id', 'tl', 'ne', 'km', 'my', 'si', 'bn', 'ar', 'und'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface LanguageGuess {
  language: Language;
  /** 0–1; 0 when the text holds no letters at all. */
  confidence: number;
}

type Script = 'hangul' | 'han' | 'kana' | 'latin' | 'thai' | 'cyrillic' | 'devanagari' | 'khmer' | 'myanmar' | 'sinhala' | 'bengali' | 'arabic';

/** Code point ranges of each script, as Unicode assigns them (the blocks a job centre's texts use). */
const SCRIPT_RANGES: ReadonlyArray<[number, number, Script]> = [
  [0x41, 0x5a, 'latin'],
  [0x61, 0x7a, 'latin'],
  [0xaa, 0xaa, 'latin'],
  [0xba, 0xba, 'latin'],
  [0xc0, 0xd6, 'latin'],
  [0xd8, 0xf6, 'latin'],
  [0xf8, 0x24f, 'latin'],
  [0x400, 0x52f, 'cyrillic'],
  [0x600, 0x6ff, 'arabic'],
  [0x750, 0x77f, 'arabic'],
  [0x8a0, 0x8ff, 'arabic'],
  [0x900, 0x97f, 'devanagari'],
  [0x980, 0x9ff, 'bengali'],
  [0xd80, 0xdff, 'sinhala'],
  [0xe00, 0xe7f, 'thai'],
  [0x1000, 0x109f, 'myanmar'],
  [0x1100, 0x11ff, 'hangul'],
  [0x1780, 0x17ff, 'khmer'],
  [0x19e0, 0x19ff, 'khmer'],
  [0x1e00, 0x1eff, 'latin'],
  [0x2e80, 0x2fdf, 'han'],
  [0x3005, 0x3007, 'han'],
  [0x3021, 0x3029, 'han'],
  [0x3041, 0x309f, 'kana'],
  [0x30a1, 0x30ff, 'kana'],
  [0x3130, 0x318f, 'hangul'],
  [0x31f0, 0x31ff, 'kana'],
  [0x3400, 0x4dbf, 'han'],
  [0x4e00, 0x9fff, 'han'],
  [0xa960, 0xa97f, 'hangul'],
  [0xa9e0, 0xa9ff, 'myanmar'],
  [0xaa60, 0xaa7f, 'myanmar'],
  [0xac00, 0xd7a3, 'hangul'],
  [0xd7b0, 0xd7ff, 'hangul'],
  [0xf900, 0xfaff, 'han'],
  [0xfb50, 0xfdff, 'arabic'],
  [0xfe70, 0xfeff, 'arabic'],
  [0xff21, 0xff3a, 'latin'],
  [0xff41, 0xff5a, 'latin'],
  [0xff66, 0xff9d, 'kana'],
  [0xffa0, 0xffdc, 'hangul'],
  [0x20000, 0x3134f, 'han'],
];

function scriptOf(cp: number): Script | undefined {
  let lo = 0;
  let hi = SCRIPT_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to, script] = SCRIPT_RANGES[mid] as [number, number, Script];
    if (cp < from) hi = mid - 1;
    else if (cp > to) lo = mid + 1;
    else return script;
  }
  return undefined;
}

const SINGLE_SCRIPT: Partial<Record<Script, Language>> = {
  thai: 'th',
  khmer: 'km',
  myanmar: 'my',
  sinhala: 'si',
  bengali: 'bn',
  // Urdu and Persian share the script; Arabic is the honest label for "written in Arabic script".
  arabic: 'ar',
  // Hindi shares Devanagari, but Nepali is what Korean job centres meet (EPS workers).
  devanagari: 'ne',
};

/** Words common in everyday writing of each Latin-script language, lower case. */
const LATIN_WORDS: ReadonlyArray<[Language, ReadonlySet<string>]> = [
  ['vi', new Set(['tôi', 'không', 'có', 'của', 'và', 'được', 'là', 'cho', 'người', 'xin', 'chào', 'làm', 'việc', 'em', 'anh', 'chị', 'muốn', 'học', 'nào', 'với', 'ở'])],
  // Vietnamese typed without tone marks, as on phones without a Vietnamese keyboard.
  ['vi', new Set(['toi', 'khong', 'viec', 'lam', 'nguoi', 'duoc', 'muon', 'tim', 'cong', 'nuoc', 'ngoai', 'xin', 'chao', 'luong', 'hoc', 'tien'])],
  ['id', new Set(['saya', 'tidak', 'apa', 'bisa', 'kerja', 'dan', 'yang', 'ini', 'itu', 'dengan', 'untuk', 'ada', 'mau', 'terima', 'kasih', 'bagaimana'])],
  ['tl', new Set(['ako', 'po', 'ang', 'ng', 'mga', 'sa', 'trabaho', 'salamat', 'hindi', 'paano', 'ko', 'kayo', 'naman', 'opo'])],
  ['uz', new Set(['men', 'ish', 'qanday', 'kerak', 'bilan', 'uchun', 'rahmat', 'salom', 'va', 'bu', 'emas', 'qilish', 'mumkin', 'menga', 'yordam', 'bering', 'pul', 'ishlab', 'maosh', 'bormi', 'qayerda', 'kuniga', 'ishdan'])],
  ['en', new Set(['the', 'i', 'is', 'are', 'a', 'an', 'to', 'and', 'of', 'in', 'for', 'can', 'my', 'you', 'how', 'what', 'job', 'work', 'hello', 'please', 'thank', 'thanks', 'do', 'get', 'have', 'want', 'from', 'here', 'no', 'your', 'with', 'me', 'we', 'our', 'this', 'it', 'not', 'now', 'free', 'will', 'was', 'at', 'on', 'be', 'need', 'where', 'when', 'there', 'help', 'click', 'today'])],
];
/** Letters only Vietnamese uses among these languages: ơ ư đ ă and the stacked tone marks. */
const VIETNAMESE_LETTERS = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu;
/** Letters of Mongolian Cyrillic that Russian lacks. */
const MONGOLIAN_LETTERS = /[өүӨҮ]/u;
/** Letters of Uzbek Cyrillic that neither Russian nor Mongolian use. */
const UZBEK_LETTERS = /[ўқғҳЎҚҒҲ]/u;
/** Links, mentions and addresses are Latin whatever the language around them; they are not counted. */
// Each alternative starts only where a run of its characters starts, so a long run is read once.
const NOT_LANGUAGE = /(?:https?:\/\/|www\.)\S+|(?<![^\s@])[^\s@]+@[^\s@]+|@\w+|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|kr|ly|io|me|co|xyz|gg|to|site|shop|top|club|gl|do|la|cc|gift)\b\S*/giu;

export function detectLanguage(text: string): LanguageGuess {
  const t = text.normalize('NFC').replace(NOT_LANGUAGE, ' ');
  const counts = new Map<Script, number>();
  let letters = 0;
  for (let i = 0; i < t.length; i++) {
    const cp = t.codePointAt(i) ?? 0;
    if (cp > 0xffff) i++;
    // Digits, spaces and punctuation belong to no script that tells a language.
    if (cp < 0x41) continue;
    const script = scriptOf(cp);
    if (script === undefined) continue;
    counts.set(script, (counts.get(script) ?? 0) + 1);
    letters++;
  }
  if (letters === 0) return { language: 'und', confidence: 0 };

  const share = (s: Script): number => (counts.get(s) ?? 0) / letters;
  // Korean inquiries are full of Latin acronyms (PLC, QC, IT) and some Hanja, so a modest share
  // of Hangul already means Korean.
  if (share('hangul') >= 0.3) return { language: 'ko', confidence: round(0.6 + 0.4 * share('hangul')) };
  if (share('kana') > 0) return { language: 'ja', confidence: round(0.6 + 0.4 * (share('kana') + share('han'))) };

  const [top, topCount] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['latin', 0];
  const topShare = topCount / letters;
  if (top === 'hangul') return { language: 'ko', confidence: round(0.5 + 0.4 * topShare) };
  if (top === 'han') return { language: 'zh', confidence: round(0.5 + 0.4 * topShare) };
  if (top === 'cyrillic') return { language: UZBEK_LETTERS.test(t) ? 'uz' : MONGOLIAN_LETTERS.test(t) ? 'mn' : 'ru', confidence: round(0.5 + 0.3 * topShare) };
  const single = SINGLE_SCRIPT[top];
  if (single) return { language: single, confidence: round(0.6 + 0.3 * topShare) };
  return guessLatin(t, topShare);
}

function guessLatin(text: string, latinShare: number): LanguageGuess {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (VIETNAMESE_LETTERS.test(text)) return { language: 'vi', confidence: round(0.6 + 0.3 * latinShare) };
  let best: Language = 'und';
  let bestHits = 0;
  for (const [language, vocabulary] of LATIN_WORDS) {
    const hits = words.filter((w) => vocabulary.has(w)).length;
    if (hits > bestHits) {
      best = language;
      bestHits = hits;
    }
  }
  if (bestHits === 0) return { language: 'und', confidence: 0.2 };
  return { language: best, confidence: round(Math.min(0.95, 0.4 + (0.5 * bestHits) / Math.max(3, words.length / 3)) * latinShare) };
}

function round(n: number): number {
  return Math.round(Math.min(1, n) * 100) / 100;
}
