import type { Operation } from './operation.js';
import { accountOperations } from './ops/accounts.js';
import { channelOperations } from './ops/channels.js';
import { consoleInboxOperations } from './ops/console-inbox.js';
import { consoleOperations } from './ops/console.js';
import { contentOperations } from './ops/content.js';
import { discordOperations } from './ops/discord.js';
import { inquiryOperations } from './ops/inquiries.js';
import { postOperations } from './ops/posts.js';
import { triageOperations } from './ops/triage.js';
import { youtubeOperations } from './ops/youtube.js';

/** Every command and query of the application layer, by name. */
export const OPERATIONS: readonly Operation[] = [...accountOperations, ...postOperations, ...contentOperations, ...discordOperations, ...inquiryOperations, ...triageOperations, ...channelOperations, ...youtubeOperations, ...consoleOperations, ...consoleInboxOperations] as readonly Operation[];

const byName = new Map(OPERATIONS.map((op) => [op.name, op]));

export function operation(name: string): Operation {
  const op = byName.get(name);
  if (!op) throw new Error(`no operation "${name}"`);
  return op;
}
