/**
 * The thumbnail card of a lecture's broadcast: 1280×720 (YouTube's recommended size), the
 * lecture's title and time in Korean, set in Pretendard GOV (assets/fonts) so it reads the same on
 * every server, whatever fonts the machine has. A PNG well under YouTube's 2 MB limit.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SKRSContext2D } from '@napi-rs/canvas';
import { PROJECT_ROOT } from '../../paths.js';

export const THUMBNAIL_WIDTH = 1280;
export const THUMBNAIL_HEIGHT = 720;
/** Bumped when the card's design changes, so broadcasts get the new card at their next update. */
const DESIGN = 'card-v1';
const REGULAR = 'OntactPretendardGOV';
const BOLD = 'OntactPretendardGOVBold';

let fontsLoaded = false;

/**
 * Skia is loaded on the first card, not at start-up: its native library and fonts cost about
 * 20 MiB resident, and most centres never draw a card (YouTube dry-run, or no lectures).
 */
async function canvasWithFonts(): Promise<typeof import('@napi-rs/canvas')> {
  const canvas = await import('@napi-rs/canvas');
  if (!fontsLoaded) loadFonts(canvas.GlobalFonts);
  return canvas;
}

function loadFonts(GlobalFonts: typeof import('@napi-rs/canvas').GlobalFonts): void {
  const dir = join(PROJECT_ROOT, 'assets', 'fonts');
  const regular = GlobalFonts.registerFromPath(join(dir, 'PretendardGOV-Regular.woff2'), REGULAR);
  const bold = GlobalFonts.registerFromPath(join(dir, 'PretendardGOV-Bold.woff2'), BOLD);
  if (!regular || !bold) throw new Error(`the thumbnail fonts could not be loaded from ${dir}`);
  fontsLoaded = true;
}

export interface CardText {
  /** The lecture's title, as citizens read it. */
  title: string;
  /** When, in Korean: `2026. 12. 3.(목) 14:00 ~ 15:30`. */
  when: string;
  /** The small line above the title: `온라인 특강 · 유튜브 생중계`. */
  label: string;
  /** The center's name, at the foot. */
  center: string;
}

/** What the card shows, as a digest: the same text gives the same card, so it is set again only when it changes. */
export function cardHash(text: CardText): string {
  return createHash('sha256').update(JSON.stringify([DESIGN, text.title, text.when, text.label, text.center])).digest('hex').slice(0, 32);
}

const segmenter = new Intl.Segmenter('ko', { granularity: 'grapheme' });

/** Lines of at most `width` pixels, broken at spaces where possible and between syllables otherwise. */
function wrap(ctx: SKRSContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const words = text.split(/(\s+)/).filter((w) => w !== '');
  for (const word of words) {
    const candidate = line + word;
    if (ctx.measureText(candidate.trimEnd()).width <= width) {
      line = candidate;
      continue;
    }
    if (line.trim() !== '') lines.push(line.trim());
    line = '';
    if (/^\s+$/.test(word)) continue;
    // A word wider than the line is split between graphemes (Korean reads fine broken between syllables).
    for (const { segment } of segmenter.segment(word)) {
      if (ctx.measureText(line + segment).width > width && line !== '') {
        lines.push(line);
        line = '';
      }
      line += segment;
    }
  }
  if (line.trim() !== '') lines.push(line.trim());
  return lines;
}

function ellipsise(ctx: SKRSContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  const parts = [...segmenter.segment(text)].map((s) => s.segment);
  while (parts.length > 0 && ctx.measureText(`${parts.join('')}…`).width > width) parts.pop();
  return `${parts.join('').trimEnd()}…`;
}

/** The card as a PNG. */
export async function renderCard(text: CardText): Promise<Buffer> {
  const { createCanvas } = await canvasWithFonts();
  const canvas = createCanvas(THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT);
  const ctx = canvas.getContext('2d');
  const margin = 88;
  const inner = THUMBNAIL_WIDTH - margin * 2;

  const background = ctx.createLinearGradient(0, 0, THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT);
  background.addColorStop(0, '#0b3d6e');
  background.addColorStop(1, '#145da0');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT);
  ctx.fillStyle = '#ffd43b';
  ctx.fillRect(0, 0, THUMBNAIL_WIDTH, 16);

  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = '#ffd43b';
  ctx.font = `44px ${BOLD}`;
  ctx.fillText(ellipsise(ctx, text.label, inner), margin, 140);

  // The largest title size at which it fits in three lines above the time (the last baseline at most TITLE_BOTTOM).
  const TITLE_TOP = 170;
  const TITLE_BOTTOM = 490;
  let size = 96;
  let lines: string[] = [];
  for (; size >= 52; size -= 4) {
    ctx.font = `${size}px ${BOLD}`;
    lines = wrap(ctx, text.title, inner);
    if (lines.length <= 3 && TITLE_TOP + lines.length * Math.round(size * 1.25) <= TITLE_BOTTOM) break;
  }
  if (size < 52) size = 52;
  if (lines.length > 3) lines = [...lines.slice(0, 2), ellipsise(ctx, lines.slice(2).join(' '), inner)];
  ctx.fillStyle = '#ffffff';
  const lineHeight = Math.round(size * 1.25);
  let y = TITLE_TOP + lineHeight;
  for (const line of lines) {
    ctx.fillText(line, margin, y);
    y += lineHeight;
  }

  ctx.font = `52px ${BOLD}`;
  ctx.fillStyle = '#ffffff';
  ctx.fillText(ellipsise(ctx, text.when, inner), margin, THUMBNAIL_HEIGHT - 150);
  ctx.fillStyle = 'rgba(255,255,255,0.35)';
  ctx.fillRect(margin, THUMBNAIL_HEIGHT - 118, inner, 2);
  ctx.font = `38px ${REGULAR}`;
  ctx.fillStyle = '#dbe8f5';
  ctx.fillText(ellipsise(ctx, text.center, inner), margin, THUMBNAIL_HEIGHT - 64);

  return canvas.encode('png');
}

/** The kind of image bytes a staff thumbnail holds, or null for anything YouTube would refuse. */
export function imageType(bytes: Buffer): 'image/png' | 'image/jpeg' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  return null;
}

/** YouTube's limit for a custom thumbnail. */
export const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;
