/**
 * What `ontact start` tells a person at a terminal once it is ready: what runs, where the data
 * is, which channels send and which run dry (and why), where to go next.
 */
import { existsSync } from 'node:fs';
import { channelStatus } from '../channels/connections.js';
import { redactUrl } from '../config/secrets.js';
import type { PrivateRedis } from '../queues/private-redis.js';
import { setupTokenPath } from '../users/setup.js';
import type { Role, RunningApp } from './run.js';

export async function startSummary(app: RunningApp, roles: readonly Role[], seconds: number, privateRedis?: PrivateRedis): Promise<string> {
  const { ctx } = app;
  const { config } = ctx;
  const statuses = await channelStatus({ config, secrets: ctx.secrets, store: ctx.store });
  const width = Math.max(...statuses.map((s) => s.channel.length));
  const lines = [
    `Ontact is ready (${seconds.toFixed(1)} s): ${roles.join(', ')}`,
    ...(app.url ? [`  web       ${app.url}  (health: ${app.url}/healthz${app.web?.hasRoute({ method: 'GET', url: '/' }) ? `; the staff console is ${app.url}/` : ''})`] : []),
    `  database  ${ctx.store.kind === 'pglite' ? `embedded (PGlite) at ${ctx.store.location}` : `PostgreSQL ${ctx.store.location}`}`,
    privateRedis
      ? `  Redis     private redis-server (pid ${privateRedis.pid}), data in ${privateRedis.dir}; it stops when Ontact stops`
      : `  Redis     ${redactUrl(config.redis.url)}`,
    '  channels',
    ...statuses.map((s) => {
      const name = s.channel.padEnd(width);
      const paused = s.pause ? `; paused (${s.pause.status})${s.pause.reason ? `: ${s.pause.reason}` : ''}` : '';
      return s.mode === 'live' ? `    ${name}  sends for real${paused}` : `    ${name}  dry-run: ${s.dry!.detail}${paused}`;
    }),
  ];
  if (statuses.some((s) => s.mode === 'dry')) lines.push('  a dry-run channel renders its posts into the outbox (`ontact outbox list`) and sends nothing');
  if (existsSync(setupTokenPath(config.dataDir))) {
    lines.push(`  next: create the first admin with \`ontact users add <login> --name <이름> --role admin\` (this machine's set-up token is in ${setupTokenPath(config.dataDir)})`);
  }
  lines.push('  `ontact doctor` checks everything; Ctrl+C stops');
  return `${lines.join('\n')}\n`;
}
