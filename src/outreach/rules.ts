import type { Config, PostingRule } from '../config/schema.js';
import type { ContentKind } from '../content/types.js';

export interface RuleSubject {
  kind: ContentKind;
  source: string;
  region: string | null;
}

/** The first posting rule that takes this item, or null when none does (the item is kept but not posted). */
export function matchPostingRule(posting: Config['posting'], item: RuleSubject): PostingRule | null {
  for (const rule of posting.rules) {
    if (!rule.kinds.includes(item.kind)) continue;
    if (rule.sources && !rule.sources.includes(item.source)) continue;
    if (rule.regions && !(item.region && rule.regions.some((r) => item.region!.startsWith(r)))) continue;
    return rule;
  }
  return null;
}
