import type { Timestamp } from './schema.js';

/** A channel's tokens set by staff (`ontact channels connect`), sealed with the data key; the environment wins over them. */
export interface ChannelConnectionTable {
  channel: string;
  /** `v1.<iv>.<tag>.<ciphertext>` of a JSON object of secret name → value; bound to the channel's name. */
  secrets: string;
  /** Who connected it: `staff:<name>`, `system:<…>`. */
  connected_by: string;
  connected_at: Timestamp;
}

export interface ChannelTables {
  channel_connections: ChannelConnectionTable;
}
