/**
 * Finding and masking personal data in citizens' messages. Matching runs on an NFKC view of the
 * text (so full-width digits and hyphens count) while offsets and the masked output refer to the
 * text as given, so a counselor's view and the platform's copy line up.
 */

export type PersonalDataKind = 'rrn' | 'frn' | 'phone' | 'email' | 'brn' | 'account' | 'passport';
export const PERSONAL_DATA_KINDS: readonly PersonalDataKind[] = ['rrn', 'frn', 'phone', 'email', 'brn', 'account', 'passport'];

export interface PersonalDataFinding {
  kind: PersonalDataKind;
  /** UTF-16 offsets into the text as given; `end` is exclusive. */
  start: number;
  end: number;
  /** 0–1: how sure the shape, checksum and surrounding words make us. */
  confidence: number;
  /** What to show instead, e.g. `850315-1******`; it never holds the hidden part. */
  masked: string;
}

export interface MaskedText {
  /** The text with every finding replaced by its masked form, NFC. */
  masked: string;
  findings: PersonalDataFinding[];
  /** The kinds found, each once, in PERSONAL_DATA_KINDS order. */
  kinds: PersonalDataKind[];
}

export function findPersonalData(text: string): PersonalDataFinding[] {
  const view = matchingView(text);
  const candidates = [
    ...findIdentityNumbers(view.text),
    ...findPhones(view.text),
    ...findEmails(view.text),
    ...findBusinessNumbers(view.text),
    ...findAccounts(view.text),
    ...findPassports(view.text),
  ];
  return resolveOverlaps(candidates).map((c) => ({
    kind: c.kind,
    start: view.originalStart(c.start),
    end: view.originalEnd(c.end),
    confidence: round(c.confidence),
    masked: c.masked,
  }));
}

export function maskPersonalData(text: string): MaskedText {
  const findings = findPersonalData(text);
  let masked = '';
  let at = 0;
  for (const f of findings) {
    masked += text.slice(at, f.start).normalize('NFC') + f.masked;
    at = f.end;
  }
  masked += text.slice(at).normalize('NFC');
  const found = new Set(findings.map((f) => f.kind));
  return { masked, findings, kinds: PERSONAL_DATA_KINDS.filter((k) => found.has(k)) };
}

// ---------------------------------------------------------------------------------------------
// The matching view

interface MatchingView {
  text: string;
  originalStart(index: number): number;
  originalEnd(index: number): number;
}

/** Dashes people type between digit groups; folding them keeps the patterns readable. */
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63]/g;

/**
 * A code point and whatever normalisation can fold into it: combining marks, and the vowel and
 * final-consonant jamo that compose into a Hangul syllable.
 */
const CLUSTER = /[^][\p{M}\u200d\u1160-\u11ff\ud7b0-\ud7fb]*/gsu;

function matchingView(text: string): MatchingView {
  const nfkc = text.normalize('NFKC');
  if (nfkc === text) {
    return { text: nfkc.replace(DASHES, '-'), originalStart: (i) => i, originalEnd: (i) => i };
  }
  // NFKC may merge (jamo → syllable) or split (`①` → `1`, `㈜` → `(주)`) characters, so map each
  // cluster on its own; a finding that starts or ends inside one widens to the whole cluster.
  // (Intl.Segmenter would do, but V8 copies the whole input for every segment: quadratic.)
  const starts: number[] = [];
  const ends: number[] = [];
  let out = '';
  for (const m of text.matchAll(CLUSTER)) {
    const n = m[0].normalize('NFKC');
    out += n;
    for (let k = 0; k < n.length; k++) {
      starts.push(m.index);
      ends.push(m.index + m[0].length);
    }
  }
  return {
    text: out.replace(DASHES, '-'),
    originalStart: (i) => starts[i] ?? text.length,
    originalEnd: (i) => (i === 0 ? 0 : (ends[i - 1] ?? text.length)),
  };
}

// ---------------------------------------------------------------------------------------------
// Candidates

interface Candidate {
  kind: PersonalDataKind;
  start: number;
  end: number;
  confidence: number;
  masked: string;
}

/** Not glued to a longer token: no letter or digit before, nor a digit group joined by - or . */
const BEFORE = String.raw`(?<![0-9A-Za-z]|[0-9][-.])`;
const AFTER = String.raw`(?![0-9]|[-.][0-9])`;

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    yield m;
    if (m[0].length === 0) re.lastIndex++;
  }
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

function near(text: string, start: number, end: number, re: RegExp, before: number, after: number): boolean {
  return re.test(text.slice(Math.max(0, start - before), start)) || re.test(text.slice(end, end + after));
}

// RRN and FRN: YYMMDD-GNNNNNN. The seventh digit gives the century and, 5–8, a foreigner.
const IDENTITY = new RegExp(String.raw`${BEFORE}(\d{6})( ?- ?| ?)([0-9])(\d{6})${AFTER}`, 'g');
const IDENTITY_WORDS = /주민|외국인\s*등록|등록\s*번호|생년월일|resident|registration|rrn|arc/i;
const CHECK_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

function findIdentityNumbers(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const m of matches(IDENTITY, text)) {
    const [whole, birth = '', sep = '', g = '', rest = ''] = m;
    const gender = Number(g);
    if (!isBirthDate(birth, gender)) continue;
    const digits = birth + g + rest;
    const foreign = gender >= 5 && gender <= 8;
    let confidence = sep.includes('-') ? 0.75 : 0.6;
    if (foreign ? frnChecksumOk(digits) : rrnChecksumOk(digits)) confidence += 0.15;
    if (near(text, m.index, m.index + whole.length, IDENTITY_WORDS, 20, 10)) confidence += 0.1;
    found.push({
      kind: foreign ? 'frn' : 'rrn',
      start: m.index,
      end: m.index + whole.length,
      confidence,
      masked: `${birth}-${g}******`,
    });
  }
  return found;
}

function isBirthDate(yymmdd: string, gender: number): boolean {
  const century = gender === 9 || gender === 0 ? 1800 : gender <= 2 || gender === 5 || gender === 6 ? 1900 : 2000;
  const year = century + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weightedSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (CHECK_WEIGHTS[i] ?? 0);
  return sum;
}

function rrnChecksumOk(digits: string): boolean {
  return (11 - (weightedSum(digits) % 11)) % 10 === Number(digits[12]);
}

/** The pre-2020 foreigner number rule: same weights, offset by 2, with an even office number. */
function frnChecksumOk(digits: string): boolean {
  if (Number(digits.slice(7, 9)) % 2 !== 0) return false;
  let check = 11 - (weightedSum(digits) % 11);
  if (check >= 10) check -= 10;
  check += 2;
  if (check >= 10) check -= 10;
  return check === Number(digits[12]);
}

// Phones: mobile 010/011/016–019, area codes 02 and 031–064, 070, 050x, 080, optionally +82.
const PHONE = new RegExp(
  String.raw`${BEFORE}(\+82[ -]?(?:\(0\)[ -]?)?0?(?:1[016789]|2|[3-6][1-5]|70)|\(0(?:1[016789]|2|[3-6][1-5]|70|50\d|80)\)|0(?:1[016789]|2|[3-6][1-5]|70|50\d|80))(?:\) ?|[ .-])?(\d{3,4})[ .-]?(\d{4})${AFTER}`,
  'g',
);
const NATIONWIDE = new RegExp(String.raw`${BEFORE}(1(?:5[4-9]|6[0-9]|8[0-9])\d)[ .-](\d{4})${AFTER}`, 'g');

function findPhones(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const m of matches(PHONE, text)) {
    const [whole, prefix = '', , last = ''] = m;
    const international = prefix.startsWith('+');
    const area = digitsOf(international ? prefix.slice(3) : prefix).replace(/^0/, '');
    const mobile = area.startsWith('1');
    const separated = /[^0-9]/.test(whole);
    found.push({
      kind: 'phone',
      start: m.index,
      end: m.index + whole.length,
      confidence: (mobile ? 0.9 : 0.75) + (separated ? 0.05 : 0),
      masked: `${international ? `+82-${area}` : `0${area}`}-****-${last}`,
    });
  }
  for (const m of matches(NATIONWIDE, text)) {
    found.push({ kind: 'phone', start: m.index, end: m.index + m[0].length, confidence: 0.6, masked: `${m[1] ?? ''}-****` });
  }
  return found;
}

// E-mail: the lookbehind starts matches only at the start of a run, keeping long text linear.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64})@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})(?![A-Za-z0-9-])/g;

function findEmails(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const m of matches(EMAIL, text)) {
    const [whole, local = '', domain = ''] = m;
    found.push({ kind: 'email', start: m.index, end: m.index + whole.length, confidence: 0.95, masked: `${local.slice(0, 1)}***@${domain}` });
  }
  return found;
}

// Business registration numbers: NNN-NN-NNNNN with a check digit.
const BRN = new RegExp(String.raw`${BEFORE}(\d{3})([ -]?)(\d{2})\2(\d{5})${AFTER}`, 'g');
const BRN_WORDS = /사업자|business|brn/i;
const BRN_WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5];

function brnChecksumOk(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (BRN_WEIGHTS[i] ?? 0);
  sum += Math.floor((Number(digits[8]) * 5) / 10);
  return (10 - (sum % 10)) % 10 === Number(digits[9]);
}

function findBusinessNumbers(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const m of matches(BRN, text)) {
    const [whole, a = '', sep = '', b = '', c = ''] = m;
    const checksum = brnChecksumOk(a + b + c);
    const context = near(text, m.index, m.index + whole.length, BRN_WORDS, 20, 10);
    // Ten bare digits pass the check digit one time in ten, so they need the word as well.
    if (sep === '' ? !(checksum && context) : !(checksum || context)) continue;
    const confidence = (checksum ? 0.85 : 0.55) + (context ? 0.1 : 0);
    found.push({ kind: 'brn', start: m.index, end: m.index + whole.length, confidence, masked: `${a}-${b}-*****` });
  }
  return found;
}

// Bank accounts have no fixed shape (3-4-4-2, 6-2-6, 3-6-5 …), so a digit run counts only next
// to the words people write around one.
const ACCOUNT = new RegExp(String.raw`${BEFORE}(\d{2,8}(?:-\d{1,8}| \d{2,8}){1,4}|\d{10,16})${AFTER}`, 'g');
const ACCOUNT_WORDS =
  /계좌|통장|입금|송금|이체|예금주|은행|뱅크|농협|신협|새마을금고|우체국|카뱅|ibk|kb|nh|account|bank|tài khoản|账户|账号/i;
/** Bank names that are also everyday words (우리, 하나, 국민 …) count only right before the number. */
const BANK_NAMES_ADJACENT = /(?:국민|신한|우리|하나|기업|수협|산업|씨티|sc제일|부산|대구|경남|광주|전북|제주)\s*[:：]?\s*$/i;
const AMOUNT_AFTER = /^\s*(?:원|만|천|억|달러|년|월|일|명|개|회|시|분|%|₩|krw|won)/i;

function findAccounts(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const m of matches(ACCOUNT, text)) {
    const whole = m[0];
    const end = m.index + whole.length;
    const digits = digitsOf(whole);
    if (digits.length < 10 || digits.length > 16) continue;
    if (AMOUNT_AFTER.test(text.slice(end, end + 4))) continue;
    if (looksLikeDate(whole)) continue;
    const adjacentBank = BANK_NAMES_ADJACENT.test(text.slice(Math.max(0, m.index - 8), m.index));
    const context = near(text, m.index, end, ACCOUNT_WORDS, 25, 12);
    if (!adjacentBank && !context) continue;
    found.push({
      kind: 'account',
      start: m.index,
      end,
      confidence: context ? 0.85 : 0.75,
      masked: `***-****-${digits.slice(-4)}`,
    });
  }
  return found;
}

function looksLikeDate(group: string): boolean {
  const first = group.split(/[- ]/)[0] ?? '';
  const m = /^(19|20)(\d{2})(\d{2})(\d{2})$/.exec(first);
  if (!m) return false;
  const month = Number(m[3]);
  const day = Number(m[4]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Passports: old M12345678, new M123A4567, and the 1–2 letter + 7–8 digit forms of other
// countries; all of them look like model or order numbers, so the word must be near.
const PASSPORT = /(?<![0-9A-Za-z])([A-Za-z]{1,2}\d{7,8}|[A-Za-z]\d{3}[A-Za-z]\d{4})(?![0-9A-Za-z])/g;
const PASSPORT_WORDS = /여권|passport|hộ chiếu|护照|護照|パスポート|หนังสือเดินทาง/i;

function findPassports(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const m of matches(PASSPORT, text)) {
    const value = (m[1] ?? '').toUpperCase();
    if (!near(text, m.index, m.index + value.length, PASSPORT_WORDS, 25, 15)) continue;
    found.push({
      kind: 'passport',
      start: m.index,
      end: m.index + value.length,
      confidence: 0.85,
      masked: value.slice(0, 2) + '*'.repeat(value.length - 2),
    });
  }
  return found;
}

/** Keeps the surest of overlapping candidates (then the longest), so one number is masked once. */
function resolveOverlaps(candidates: Candidate[]): Candidate[] {
  const byStart = [...candidates].sort((a, b) => a.start - b.start);
  const kept: Candidate[] = [];
  // Overlaps are local, so settle each run of mutually overlapping candidates on its own.
  for (let i = 0; i < byStart.length; ) {
    let end = byStart[i]?.end ?? 0;
    let j = i + 1;
    while (j < byStart.length && (byStart[j]?.start ?? Infinity) < end) end = Math.max(end, byStart[j++]?.end ?? 0);
    const group = byStart.slice(i, j).sort((a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start);
    const chosen: Candidate[] = [];
    for (const c of group) if (chosen.every((k) => c.end <= k.start || c.start >= k.end)) chosen.push(c);
    kept.push(...chosen.sort((a, b) => a.start - b.start));
    i = j;
  }
  return kept;
}

function round(n: number): number {
  return Math.round(Math.min(0.99, n) * 100) / 100;
}
