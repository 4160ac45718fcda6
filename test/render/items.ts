/**
 * Render inputs made from the shared fixtures by the real normalisers (고용24 XML, the CP949
 * RSS notices, the NFD Atom lectures), so what the render tests see is what ingest stores.
 */
import { readFileSync } from 'node:fs';
import type { ContentItemDraft } from '../../src/content/types.js';
import type { RenderCenter, RenderItem } from '../../src/render/render.js';
import { decodeBody } from '../../src/sources/decode.js';
import { parseFeed } from '../../src/sources/feed.js';
import { parseWork24Jobs, parseWork24Training } from '../../src/sources/work24.js';
import { kstDate } from '../../src/time/kst.js';
import { fixturePath } from '../helpers/fixtures.js';

export const CENTER: RenderCenter = { name: '완주군일자리지원센터', phone: '063-290-0000', url: 'https://job.example.go.kr/' };
export const CONTACT_LINE = `☎ 문의: ${CENTER.name} ${CENTER.phone}`;

function asRenderItem(draft: ContentItemDraft): RenderItem {
  const { kind: _kind, sourceKey: _key, region: _region, ...item } = draft;
  return item;
}

export const JOB_DRAFTS = parseWork24Jobs(readFileSync(fixturePath('work24', 'jobs-wanju-p1.xml'), 'utf8'), { region: '52710' }).items;
export const TRAINING_DRAFTS = parseWork24Training(readFileSync(fixturePath('work24', 'training-jeonbuk.xml'), 'utf8')).items;
export const NOTICE_DRAFTS = (await parseFeed(decodeBody(readFileSync(fixturePath('feeds', 'center-notices.cp949.rss')), 'application/rss+xml').text, { kind: 'notice', region: '52710' })).items;
export const LECTURE_DRAFTS = (await parseFeed(decodeBody(readFileSync(fixturePath('feeds', 'lectures.nfd.atom')), null).text, { kind: 'lecture' })).items;

export function jobItems(): RenderItem[] {
  return JOB_DRAFTS.map(asRenderItem);
}

export function trainingItems(): RenderItem[] {
  return TRAINING_DRAFTS.map(asRenderItem);
}

/** The lecture feed gives no labelled schedule, so the first lecture also gets its broadcast time, as staff would add it. */
export function lectureItems(): RenderItem[] {
  return LECTURE_DRAFTS.map((draft, i) => ({
    ...asRenderItem(draft),
    organisation: '완주군일자리지원센터',
    place: '유튜브 라이브',
    ...(i === 0 ? { startsAt: kstDate(2026, 12, 9, 19, 0), endsAt: kstDate(2026, 12, 9, 21, 0) } : {}),
  }));
}

export function noticeItems(): RenderItem[] {
  return NOTICE_DRAFTS.map(asRenderItem);
}
