import type { JSONColumnType } from 'kysely';
import type { Timestamp } from './schema.js';

/** Facts a platform reported back about a published copy (Discord: its lecture event and who is interested); migration 0007. */
export interface DeliveryPlatformDataTable {
  delivery_id: number;
  channel: string;
  data: JSONColumnType<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface DiscordTables {
  delivery_platform_data: DeliveryPlatformDataTable;
}
