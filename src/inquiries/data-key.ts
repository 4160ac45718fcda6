import type { Secrets } from '../config/secrets.js';
import { parseDataKey, type DataKey } from './sealed-text.js';

const parsed = new WeakMap<Secrets, DataKey>();

/** The data key from ONTACT_DATA_KEY, parsed once per secrets object; null when it is not set. */
export function dataKeyOf(secrets: Secrets): DataKey | null {
  if (!secrets.dataKey) return null;
  let key = parsed.get(secrets);
  if (!key) {
    key = parseDataKey(secrets.dataKey);
    parsed.set(secrets, key);
  }
  return key;
}

/** Binds a sealed original to its message, so a value copied onto another row will not open. */
export function sealContext(channel: string, platformId: string): string {
  return `inquiry:${channel}:${platformId}`;
}
