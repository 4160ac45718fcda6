/**
 * The invisible fingerprint of one delivery or reply, so a retry can recognise its own earlier
 * message among the channel's recent ones (Discord returns a message's `nonce` only to the call
 * that made it, and `enforce_nonce` remembers it only for a few minutes). It is 48 bits of the
 * idempotency key's SHA-256, written as zero-width characters between word joiners at the very
 * end of a text; any marker-like run already in the text is removed first, so feed text cannot
 * forge one.
 */
import { createHash } from 'node:crypto';

const EDGE = '\u2060';
const ZERO = '\u200B';
const ONE = '\u200C';
const BITS = 48;
const ANY = new RegExp(`${EDGE}[${ZERO}${ONE}]{${BITS}}${EDGE}`, 'g');

export function markerOf(idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest();
  let bits = '';
  for (let i = 0; i < BITS / 8; i += 1) {
    const byte = digest[i] ?? 0;
    for (let b = 7; b >= 0; b -= 1) bits += (byte >> b) & 1 ? ONE : ZERO;
  }
  return `${EDGE}${bits}${EDGE}`;
}

/** The text with the key's marker at its end, or unmarked when the marker would not fit `limit` (UTF-16 units). */
export function marked(text: string, idempotencyKey: string, limit: number): string {
  const clean = text.replace(ANY, '');
  const withMarker = clean + markerOf(idempotencyKey);
  return withMarker.length <= limit ? withMarker : clean;
}

/** Whether `text` ends with the key's marker. */
export function carriesMarker(text: string | null | undefined, idempotencyKey: string): boolean {
  return typeof text === 'string' && text.trimEnd().endsWith(markerOf(idempotencyKey));
}

/** The text as people read it: without any marker. */
export function unmarked(text: string): string {
  return text.replace(ANY, '');
}

/** Discord's `nonce`: at most 25 characters, the same for every attempt of one delivery or reply. */
export function nonceOf(idempotencyKey: string): string {
  return createHash('sha256').update(`nonce:${idempotencyKey}`, 'utf8').digest('base64url').slice(0, 25);
}
