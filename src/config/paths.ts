import { join, resolve } from 'node:path';
import { CONFIG_DIR, TEMPLATES_DIR } from '../paths.js';
import type { Config } from './schema.js';

export interface ResolvedPaths {
  templates: string;
  triageRules: string;
  holidays: string;
  /** Written by `ontact triage train` and the nightly retraining, read by triage. */
  triageModel: string;
}

/** The editable files this configuration reads: configured paths from the working directory, else the project's own. */
export function resolvedPaths(config: Pick<Config, 'paths' | 'dataDir'>): ResolvedPaths {
  return {
    templates: config.paths.templates ? resolve(config.paths.templates) : TEMPLATES_DIR,
    triageRules: config.paths.triageRules ? resolve(config.paths.triageRules) : resolve(CONFIG_DIR, 'triage.yaml'),
    holidays: config.paths.holidays ? resolve(config.paths.holidays) : resolve(CONFIG_DIR, 'holidays.yaml'),
    triageModel: resolve(config.paths.triageModel ?? join(config.dataDir, 'triage-model.json')),
  };
}
