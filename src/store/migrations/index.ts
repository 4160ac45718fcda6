import type { Migration } from 'kysely';
import * as m0001 from './0001_base.js';
import * as m0002 from './0002_outreach.js';
import * as m0003 from './0003_inquiries.js';
import * as m0004 from './0004_core.js';
import * as m0005 from './0005_channel_connections.js';
import * as m0006 from './0006_users_notifications.js';
import * as m0007 from './0007_discord.js';
import * as m0008 from './0008_youtube.js';
import * as m0009 from './0009_console.js';
import * as m0010 from './0010_triage_learning.js';
import * as m0011 from './0011_source_body_hash.js';
import * as m0012 from './0012_inbox.js';
import * as m0013 from './0013_inbound_inbox.js';
import * as m0014 from './0014_delivery_writes.js';

/** Every migration, in order. Names sort in the order they must run; never rename or reorder one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_base': m0001,
  '0002_outreach': m0002,
  '0003_inquiries': m0003,
  '0004_core': m0004,
  '0005_channel_connections': m0005,
  '0006_users_notifications': m0006,
  '0007_discord': m0007,
  '0008_youtube': m0008,
  '0009_console': m0009,
  '0010_triage_learning': m0010,
  '0011_source_body_hash': m0011,
  '0012_inbox': m0012,
  '0013_inbound_inbox': m0013,
  '0014_delivery_writes': m0014,
};
