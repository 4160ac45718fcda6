import type { LoadedConfig } from './load.js';
import { redactUrl, REDACTED, SECRET_ENV } from './secrets.js';

/** The effective configuration as staff may see it: connection URLs without passwords, secrets only as set/unset. */
export function printableConfig({ config, secrets }: LoadedConfig): Record<string, unknown> {
  return {
    ...config,
    database: { ...config.database, url: config.database.url ? redactUrl(config.database.url) : undefined },
    redis: { ...config.redis, url: redactUrl(config.redis.url) },
    secrets: Object.fromEntries(
      Object.entries(SECRET_ENV).map(([name, variable]) => [variable, secrets[name as keyof typeof SECRET_ENV] ? REDACTED : 'not set']),
    ),
  };
}
