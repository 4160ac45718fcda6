/**
 * 고용24 (work24.go.kr) Open API: 채용정보 list (callOpenApiSvcInfo210L01) and
 * 국민내일배움카드 훈련과정 list (callOpenApiSvcInfo310L01).
 *
 * The API answers HTTP 200 for everything, so its outcome is read from the document:
 *   - `<wantedRoot>` / `<HRDNet>` with results;
 *   - `<wantedRoot><messageCd>006</messageCd>` — no data, an empty page, not an error;
 *   - `<GO24><error>…</error></GO24>` — the auth key was rejected: a permanent Work24Error;
 *   - anything else (an HTML maintenance page, a truncated body) — a transient Work24Error.
 * Lists with one result come back as one element rather than a list, so `wanted` and
 * `scn_list` are always read as arrays.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseDeadline, parseKstDate } from '../content/dates.js';
import { formatPayText, formatWon } from '../content/display.js';
import { absoluteHttpUrl, inlineText } from '../content/plain-text.js';
import type { ContentItemDraft } from '../content/types.js';
import { kstDate, kstParts } from '../time/kst.js';
import { WORK24_JOBS_URL, WORK24_TRAINING_URL } from './config.js';
import { xmlRootElement } from './decode.js';
import { redactSecrets } from './http-fetch.js';

export type Work24ErrorKind = 'auth' | 'api' | 'malformed' | 'unexpected';

export class Work24Error extends Error {
  override readonly name = 'Work24Error';
  constructor(
    readonly kind: Work24ErrorKind,
    message: string,
    /** A rejected key stays rejected until someone fixes the key; retrying cannot help. */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface Work24Page {
  items: ContentItemDraft[];
  /** Per-listing problems that did not stop the page (a listing without its key, a bad date). */
  errors: string[];
  /** Total results the API reports for the query (0 for messageCd 006). */
  total: number;
  /** The page number the API says this is. */
  page: number;
  /** The page size the API used. */
  pageSize: number;
}

// ---------------------------------------------------------------------------------------------
// URLs

export interface Work24JobsQuery {
  authKey: string;
  /** 근무지역 code, e.g. 52710 (완주군). */
  region?: string;
  keyword?: string;
  /** 1-based. */
  startPage: number;
  /** At most 100. */
  display: number;
  baseUrl?: string;
}

/** The 채용정보 list URL: authKey, callTp=L, returnType=XML, startPage, display, region, keyword. */
export function buildWork24JobsUrl(query: Work24JobsQuery): string {
  requireKey(query.authKey);
  requirePaging(query.startPage, query.display, 1000, 100);
  const url = new URL(query.baseUrl ?? WORK24_JOBS_URL);
  url.searchParams.set('authKey', query.authKey);
  url.searchParams.set('callTp', 'L');
  url.searchParams.set('returnType', 'XML');
  url.searchParams.set('startPage', String(query.startPage));
  url.searchParams.set('display', String(query.display));
  if (query.region) url.searchParams.set('region', query.region);
  if (query.keyword) url.searchParams.set('keyword', query.keyword);
  return url.href;
}

export interface Work24TrainingQuery {
  authKey: string;
  /** 2-digit 시도 (52) or 5-digit 시군구 (52710) code. */
  area?: string;
  /** Courses starting on or after this KST day… */
  startFrom: Date;
  /** …and on or before this one. */
  startTo: Date;
  /** 1-based. */
  pageNum: number;
  /** At most 100. */
  pageSize: number;
  baseUrl?: string;
}

/**
 * The 훈련과정 list URL. The API filters by 훈련지역 대분류 (srchTraArea1, the 시도's two
 * digits) and 중분류 (srchTraArea2, the 5-digit 시군구), and by the window of start dates
 * (srchTraStDt–srchTraEndDt, YYYYMMDD), sorted by start date (sortCol=2).
 */
export function buildWork24TrainingUrl(query: Work24TrainingQuery): string {
  requireKey(query.authKey);
  requirePaging(query.pageNum, query.pageSize, 1000, 100);
  if (query.startTo.getTime() < query.startFrom.getTime()) {
    throw new RangeError('work24 training: the start-date window ends before it begins');
  }
  const url = new URL(query.baseUrl ?? WORK24_TRAINING_URL);
  url.searchParams.set('authKey', query.authKey);
  url.searchParams.set('returnType', 'XML');
  url.searchParams.set('outType', '1');
  url.searchParams.set('pageNum', String(query.pageNum));
  url.searchParams.set('pageSize', String(query.pageSize));
  url.searchParams.set('srchTraStDt', kstYmd(query.startFrom));
  url.searchParams.set('srchTraEndDt', kstYmd(query.startTo));
  url.searchParams.set('sort', 'ASC');
  url.searchParams.set('sortCol', '2');
  if (query.area) {
    if (!/^(?:\d{2}|\d{5})$/.test(query.area)) throw new RangeError(`work24 training: area must be a 2- or 5-digit code, not "${query.area}"`);
    url.searchParams.set('srchTraArea1', query.area.slice(0, 2));
    if (query.area.length === 5) url.searchParams.set('srchTraArea2', query.area);
  }
  return url.href;
}

function requireKey(key: string): void {
  if (typeof key !== 'string' || key.trim() === '') throw new RangeError('work24: an auth key is required');
}

function requirePaging(page: number, size: number, maxPage: number, maxSize: number): void {
  if (!Number.isInteger(page) || page < 1 || page > maxPage) throw new RangeError(`work24: page must be 1–${maxPage}, not ${page}`);
  if (!Number.isInteger(size) || size < 1 || size > maxSize) throw new RangeError(`work24: page size must be 1–${maxSize}, not ${size}`);
}

function kstYmd(date: Date): string {
  const p = kstParts(date);
  return `${p.year}${String(p.month).padStart(2, '0')}${String(p.day).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export type Work24DocumentType = 'jobs' | 'training' | 'error';

/** Which 고용24 document this is, by its root element; null when it is none of them. */
export function detectWork24Document(xml: string): Work24DocumentType | null {
  const root = xmlRootElement(xml);
  if (root === 'wantedRoot') return 'jobs';
  if (root === 'HRDNet') return 'training';
  if (root === 'GO24') return 'error';
  return null;
}

export interface Work24JobsParseOptions {
  /** The region code the page was requested for; stored on each item (the XML has only text). */
  region?: string | null;
}

/** A 채용정보 list page → job drafts. Throws Work24Error for a rejected key or a non-list document. */
export function parseWork24Jobs(xml: string, options: Work24JobsParseOptions = {}): Work24Page {
  const root = parseDocument(xml, 'wantedRoot');
  const messageCd = text(root.messageCd);
  if (messageCd === '006') return { items: [], errors: [], total: 0, page: toInt(root.startPage) ?? 1, pageSize: toInt(root.display) ?? 0 };
  if (messageCd !== '') {
    throw new Work24Error('api', `고용24 jobs API answered messageCd ${messageCd}: ${text(root.message) || '(no message)'}`, false);
  }
  const items: ContentItemDraft[] = [];
  const errors: string[] = [];
  asArray(root.wanted).forEach((raw, index) => {
    const listing = asRecord(raw);
    try {
      items.push(mapJob(listing, options.region ?? null));
    } catch (err) {
      errors.push(`listing ${index + 1}${text(listing.wantedAuthNo) ? ` (${text(listing.wantedAuthNo)})` : ''}: ${(err as Error).message}`);
    }
  });
  return {
    items,
    errors,
    total: toInt(root.total) ?? items.length,
    page: toInt(root.startPage) ?? 1,
    pageSize: toInt(root.display) ?? items.length,
  };
}

/** A 훈련과정 list page → training drafts. */
export function parseWork24Training(xml: string): Work24Page {
  const root = parseDocument(xml, 'HRDNet');
  const messageCd = text(root.messageCd);
  if (messageCd === '006') return { items: [], errors: [], total: 0, page: toInt(root.pageNum) ?? 1, pageSize: toInt(root.pageSize) ?? 0 };
  if (messageCd !== '') {
    throw new Work24Error('api', `고용24 training API answered messageCd ${messageCd}: ${text(root.message) || '(no message)'}`, false);
  }
  const items: ContentItemDraft[] = [];
  const errors: string[] = [];
  asArray(asRecord(root.srchList).scn_list).forEach((raw, index) => {
    const course = asRecord(raw);
    try {
      items.push(mapTraining(course));
    } catch (err) {
      errors.push(`course ${index + 1}${text(course.trprId) ? ` (${text(course.trprId)})` : ''}: ${(err as Error).message}`);
    }
  });
  return {
    items,
    errors,
    total: toInt(root.scn_cnt) ?? items.length,
    page: toInt(root.pageNum) ?? 1,
    pageSize: toInt(root.pageSize) ?? items.length,
  };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Keep every value a string: `wantedAuthNo`, `trprDegr`, `zipCd` and codes like `006` are
  // identifiers, and `00123` must not become 123.
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'wanted' || name === 'scn_list',
});

type XmlRecord = Record<string, unknown>;

function parseDocument(xml: string, expectedRoot: 'wantedRoot' | 'HRDNet'): XmlRecord {
  if (typeof xml !== 'string' || xml.trim() === '') throw new Work24Error('malformed', '고용24 response is empty', false);
  const root = xmlRootElement(xml);
  if (root === 'GO24') {
    const doc = safeParse(xml);
    const message = text(asRecord(doc.GO24).error) || text(doc.GO24) || '(no message)';
    throw new Work24Error('auth', `고용24 rejected the request (check the auth key): ${redactSecrets(message)}`, true);
  }
  if (root !== expectedRoot) {
    const found = root ? `<${root}>` : 'no XML root element';
    throw new Work24Error('unexpected', `expected a 고용24 <${expectedRoot}> document, got ${found}`, false);
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new Work24Error('malformed', `고용24 response is not well-formed XML (line ${line}, column ${col}): ${msg}`, false);
  }
  return asRecord(safeParse(xml)[expectedRoot]);
}

function safeParse(xml: string): XmlRecord {
  try {
    return asRecord(parser.parse(xml));
  } catch (err) {
    throw new Work24Error('malformed', `고용24 response could not be parsed: ${(err as Error).message}`, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Field mapping

/**
 * 고용형태 codes of the list API, in the API's own words: "기간의 정함이 없는" is not quite
 * 정규직, and a public center must not promise more than the employer did.
 */
const EMPLOYMENT_TYPES: Record<string, string> = {
  '10': '기간의 정함이 없는 근로계약',
  '11': '기간의 정함이 없는 근로계약(시간선택제)',
  '20': '기간의 정함이 있는 근로계약',
  '21': '기간의 정함이 있는 근로계약(시간선택제)',
  '4': '파견근로',
};

/**
 * One listing as a post shows it. Each fact goes to one place: the company to `organisation`,
 * the address to `place`, the pay to `pay`, the closing day to `deadlineAt`/`deadlineText`, and
 * to `extra` only the other facts a job seeker weighs (업종, 근무형태, 고용형태, 경력, 학력).
 * The API's codes and bookkeeping (jobsCd, empTpCd, regDt, the mobile link) are not for
 * citizens and stay out; there is no summary, because the list API has no description and a
 * summary made of the same fields would say everything twice.
 */
function mapJob(w: XmlRecord, region: string | null): ContentItemDraft {
  const key = text(w.wantedAuthNo);
  if (!/^[A-Za-z0-9-]{4,40}$/.test(key)) throw new Error(key === '' ? 'no wantedAuthNo' : `wantedAuthNo "${key.slice(0, 50)}" is not a listing number`);
  const title = inlineText(text(w.title));
  if (title === '') throw new Error('no title');

  const company = clean(w.company);
  const pay = payText(clean(w.salTpNm), clean(w.sal), toInt(w.minSal), toInt(w.maxSal));
  const address = [clean(w.basicAddr), clean(w.detailAddr)].filter(Boolean).join(' ');
  const regionText = clean(w.region);
  const employmentCode = clean(w.empTpCd);

  const closeText = clean(w.closeDt);
  const deadline = closeText ? parseDeadline(closeText) : null;
  if (deadline?.error) throw new Error(`closeDt: ${deadline.error}`);
  const modified = text(w.smodifyDtm) ? parseKstDate(text(w.smodifyDtm)) : null;
  const registered = text(w.regDt) ? parseKstDate(text(w.regDt)) : null;

  const extra: Record<string, string> = {};
  put(extra, '업종', clean(w.indTpNm));
  put(extra, '근무형태', clean(w.holidayTpNm));
  put(extra, '고용형태', Object.hasOwn(EMPLOYMENT_TYPES, employmentCode) ? EMPLOYMENT_TYPES[employmentCode] : '');
  // `경력` alone reads as the label repeated (경력: 경력); the API means experience is required.
  put(extra, '경력', clean(w.career) === '경력' ? '경력 필요' : clean(w.career));
  put(extra, '학력', educationText(clean(w.minEdubg), clean(w.maxEdubg)));

  return {
    kind: 'job',
    sourceKey: key,
    title,
    summary: '',
    link: absoluteHttpUrl(text(w.wantedInfoUrl)) ?? absoluteHttpUrl(text(w.wantedMobileInfoUrl)),
    organisation: company || null,
    place: address || regionText || null,
    region,
    pay,
    startsAt: null,
    endsAt: null,
    deadlineAt: deadline?.at ?? null,
    deadlineText: closeText || null,
    publishedAt: modified?.at ?? registered?.at ?? null,
    extra,
  };
}

/** `minEdubg` is the least schooling asked for: `고졸` reads `고졸 이상`; a range when both ends are given. */
function educationText(min: string, max: string): string {
  if (min && max && min !== max) return `${min} ~ ${max}`;
  if (!min) return max;
  return /무관/.test(min) ? min : `${min} 이상`;
}

/**
 * The pay as the listing words it, written the center's way (KOREAN-TERMS): `월 260만 원 ~ 300만 원`,
 * `시급 10,320원`, `월 280만 원 이상`. The API's own `sal` text is kept because the numbers cannot
 * tell "230만원" from "280만원 이상" (both arrive as maxSal 0); only when `sal` is missing is the
 * text built from minSal/maxSal, where maxSal 0 means no maximum was given. Null when the
 * listing names no amount (a pay type alone tells a reader nothing).
 */
export function payText(salaryType: string, sal: string, minSal: number | null, maxSal: number | null): string | null {
  if (sal) return formatPayText(salaryType, sal);
  if (minSal === null || minSal <= 0) return null;
  if (maxSal !== null && maxSal > minSal) return formatPayText(salaryType, `${formatWon(minSal)} ~ ${formatWon(maxSal)}`);
  return formatPayText(salaryType, `${formatWon(minSal)}${maxSal === 0 || maxSal === null ? ' 이상' : ''}`);
}

/**
 * One course as a post shows it: the institution, address, period and fee in their own fields;
 * in `extra` what else helps someone choose (대상, 모집인원, 취업률, the institution's phone for
 * applying). Codes, the grade and the running count of applicants stay out: the count changes
 * daily and would re-publish every copy each time it moved.
 */
function mapTraining(c: XmlRecord): ContentItemDraft {
  const id = text(c.trprId);
  const degree = text(c.trprDegr);
  const institution = text(c.trainstCstId);
  if (!id || !degree || !institution) {
    const missing = [!id && 'trprId', !degree && 'trprDegr', !institution && 'trainstCstId'].filter(Boolean).join(', ');
    throw new Error(`missing ${missing}`);
  }
  const title = inlineText(text(c.title));
  if (title === '') throw new Error('no title');

  const startText = clean(c.traStartDate);
  const endText = clean(c.traEndDate);
  const start = startText ? parseKstDate(startText, { dateOnly: 'start-of-day' }) : null;
  const end = endText ? parseKstDate(endText, { dateOnly: 'end-of-day' }) : null;
  if (start?.error) throw new Error(`traStartDate: ${start.error}`);
  if (end?.error) throw new Error(`traEndDate: ${end.error}`);
  // A course takes applications until it starts; the item closes at the end of its first day
  // (the date-only deadline rule in content/dates.ts).
  const deadline = startText ? parseDeadline(startText) : null;

  const organisation = clean(c.subTitle);
  const address = clean(c.address);
  const fee = toInt(c.courseMan);
  const realFee = toInt(c.realMan);
  const pay = fee !== null ? `${formatWon(fee)}${realFee !== null && realFee !== fee ? ` (실제 훈련비 ${formatWon(realFee)})` : ''}` : null;

  const extra: Record<string, string> = {};
  put(extra, '훈련대상', clean(c.trainTarget));
  put(extra, '모집인원', toInt(c.yardMan) !== null ? `${toInt(c.yardMan)!.toLocaleString('ko-KR')}명` : '');
  // Empty employment rates mean the course has no graduates yet: leave them out rather than
  // print "0%".
  const rates = [
    percent(text(c.eiEmplRate3)) && `3개월 ${percent(text(c.eiEmplRate3))}`,
    percent(text(c.eiEmplRate6)) && `6개월 ${percent(text(c.eiEmplRate6))}`,
  ].filter(Boolean);
  put(extra, '수료 후 취업률', rates.join(', '));
  put(extra, '훈련기관 전화', clean(c.telNo));

  const areaCode = text(c.trngAreaCd);
  return {
    kind: 'training',
    sourceKey: `${id}:${degree}:${institution}`,
    title,
    summary: '',
    link: absoluteHttpUrl(text(c.titleLink)),
    organisation: organisation || null,
    place: address || null,
    region: /^\d{5}$/.test(areaCode) ? areaCode : null,
    pay,
    startsAt: start?.at ?? null,
    endsAt: end?.at ?? null,
    deadlineAt: deadline?.at ?? null,
    deadlineText: startText || null,
    publishedAt: null,
    extra,
  };
}

function percent(value: string): string {
  if (value === '') return '';
  return /^\d+(?:\.\d+)?$/.test(value) ? `${value}%` : value;
}

function put(extra: Record<string, string>, key: string, value: string | null | undefined): void {
  if (value) extra[key] = value;
}

/** The element's text whether it came as a string, a number or `{ '#text': … }`; '' otherwise. */
function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) return text((value as XmlRecord)['#text']);
  if (Array.isArray(value)) return text(value[0]);
  return '';
}

/** Display text for a field: markup stripped, one line, NFC. */
function clean(value: unknown): string {
  return inlineText(text(value));
}

function toInt(value: unknown): number | null {
  const s = text(value).replace(/,/g, '');
  if (!/^-?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function asRecord(value: unknown): XmlRecord {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as XmlRecord) : {};
}

/** Midnight KST `days` after the KST day of `from`: the end of a start-date window. */
export function kstDayPlus(from: Date, days: number): Date {
  const p = kstParts(from);
  return kstDate(p.year, p.month, p.day + days);
}
