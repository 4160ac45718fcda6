/**
 * Encryption at rest with the data key (ONTACT_DATA_KEY): the original text of inquiries, and
 * stored channel tokens. AES-256-GCM with a fresh random IV per value, so the same text sealed
 * twice never looks the same and any change to the stored value is detected on reading.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Secrets } from '../config/secrets.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * A data key. A KeyObject rather than a Buffer so that logging or serialising it by accident
 * prints `SecretKeyObject { … }` instead of the key.
 */
export type DataKey = KeyObject;

/** Reads `ONTACT_DATA_KEY`: 32 bytes as 64 hex characters or as base64 (standard or URL-safe). */
export function parseDataKey(raw: string): DataKey {
  const value = raw.trim();
  if (value === '') throw new Error('ONTACT_DATA_KEY is empty; set it to 32 random bytes as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)');
  let bytes: Buffer;
  if (/^[0-9a-fA-F]+$/.test(value) && value.length === KEY_BYTES * 2) {
    bytes = Buffer.from(value, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && value.length % 4 !== 1) {
    bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  } else {
    throw new Error(
      `ONTACT_DATA_KEY is neither hex nor base64 (${value.length} characters); it must be 32 bytes as 64 hex characters or base64 (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  if (bytes.length !== KEY_BYTES) {
    throw new Error(`ONTACT_DATA_KEY decodes to ${bytes.length} bytes; AES-256 needs exactly ${KEY_BYTES} (64 hex characters or 44 base64 characters)`);
  }
  return createSecretKey(bytes);
}

/**
 * Encrypts `plain` as `v1.<iv>.<tag>.<ciphertext>` (base64url). `context`, if given (e.g. the
 * inquiry id), is bound as associated data, so a sealed text copied onto another row won't open.
 */
export function seal(plain: string, key: DataKey, context = ''): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function unseal(sealed: string, key: DataKey, context = ''): string {
  assertKey(key);
  const parts = sealed.split('.');
  if (parts[0] !== VERSION) throw new Error(`sealed text has an unknown format (expected it to start with "${VERSION}.")`);
  const [, ivText = '', tagText = '', ctText] = parts;
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (parts.length !== 4 || ctText === undefined || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error('sealed text is malformed (expected v1.<iv>.<tag>.<ciphertext>)');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('cannot unseal the text: ONTACT_DATA_KEY is not the key it was sealed with, or the stored value was altered');
  }
}

function assertKey(key: DataKey): void {
  if (key.type !== 'secret' || key.symmetricKeySize !== KEY_BYTES) throw new Error('the data key must be a 32-byte secret key from parseDataKey()');
}

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
