export { dataKeyOf } from '../store/sealed.js';

/** Binds a sealed original to its message, so a value copied onto another row will not open. */
export function sealContext(channel: string, platformId: string): string {
  return `inquiry:${channel}:${platformId}`;
}
