/**
 * A rendered payload laid out as plain terminal text the way its platform shows it, for staff
 * checking a post before it goes out (`ontact render`). It shows what people read, not the
 * source sent: Discord's markdown escapes and the zero-width spaces that break mentions are
 * taken out. Each part's length is counted on the payload itself, as the platform counts it,
 * against the platform's limit. Each platform lays its own out (its render spec's `preview`).
 */
import type { RenderedPayload } from '../channels/payloads.js';
import { RENDER_SPECS } from './render.js';

/** The payload as its platform would display it, with each part's length against its limit. */
export function previewText(payload: RenderedPayload): string {
  const spec = RENDER_SPECS.get(payload.channel);
  if (!spec) throw new TypeError(`no preview for channel ${JSON.stringify(payload.channel)}`);
  return spec.preview(payload);
}
