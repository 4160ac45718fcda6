import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { kst, table } from './format.js';

async function client<T>(fn: (c: import('./client.js').Client) => Promise<T>): Promise<T> {
  const { withClient } = await import('./client.js');
  return withClient(fn);
}

interface Status {
  channel: string;
  label: string;
  mode: 'live' | 'dry';
  dry: { why: string; detail: string } | null;
  credentials: { variable: string; source: 'env' | 'store' | null }[];
  connection: { by: string; at: string } | null;
  pause: { status: string; reason: string | null; until: string | null; by: string | null } | null;
  problems: string[];
}

function describe(s: Status): string {
  const mode = s.mode === 'live' ? 'live' : `dry-run (${s.dry?.detail ?? 'nothing is sent'})`;
  const pause = s.pause ? `; PAUSED (${s.pause.status}${s.pause.reason ? `: ${s.pause.reason}` : ''}${s.pause.until ? ` until ${kst(s.pause.until)}` : ''})` : '';
  return `${mode}${pause}`;
}

/** `ontact channels …`: which channels send for real, their tokens, and pausing them. */
export function registerChannelCommands(program: Command): void {
  const channels = program.command('channels').description('the Facebook Page, YouTube channel and Discord community: live or dry-run, tokens, pause and resume');

  channels
    .command('list')
    .description('each channel: live or dry-run and why, where its tokens come from, paused and why')
    .action(async () => {
      await client(async (c) => {
        const rows = await c.call<Status[]>('channels.list');
        process.stdout.write(
          `${table(
            ['channel', 'state', 'tokens'],
            rows.map((s) => [`${s.channel} (${s.label})`, describe(s), s.credentials.map((cr) => `${cr.variable}: ${cr.source ?? 'not set'}`).join(', ') || '-']),
          )}\n`,
        );
        for (const s of rows) for (const problem of s.problems) process.stderr.write(`${s.channel}: ${problem}\n`);
      });
    });

  channels
    .command('connect')
    .description("store a channel's tokens, sealed with the data key (an environment variable of the same name still wins); a paused channel resumes at once, no restart needed. Tokens are read from standard input as NAME=value lines, never from the command line; for youtube, a Google sign-in in the browser gives the refresh token")
    .argument('<channel>', 'facebook, youtube or discord')
    .action(async (channel: string) => {
      // YouTube's token comes from a Google sign-in in the browser (the installed-app flow), not from a paste.
      if (channel === 'youtube') return (await import('./youtube-commands.js')).connectYouTube(readSecrets);
      const secrets = await readSecrets();
      if (Object.keys(secrets).length === 0) throw new UsageError('give the tokens on standard input as NAME=value lines, e.g. FACEBOOK_PAGE_ACCESS_TOKEN=…');
      await client(async (c) => {
        const r = await c.call<{ channel: string; stored: string[]; shadowedByEnv: string[]; resumed: boolean; woken: number; status: Status }>('channels.connect', { name: channel, secrets });
        process.stdout.write(`${r.channel}: stored ${r.stored.join(', ')}${r.resumed ? `; resumed, ${r.woken} waiting action(s) go now` : ''}\n${r.channel}: ${describe(r.status)}\n`);
        if (r.shadowedByEnv.length > 0) process.stderr.write(`note: ${r.shadowedByEnv.join(', ')} are also set in the environment, which wins over the stored value\n`);
      });
    });

  channels
    .command('disconnect')
    .description("forget a channel's stored tokens")
    .argument('<channel>')
    .action(async (channel: string) => {
      await client(async (c) => {
        const r = await c.call<{ channel: string; removed: boolean; status: Status }>('channels.disconnect', { name: channel });
        process.stdout.write(`${r.channel}: ${r.removed ? 'stored tokens removed' : 'had no stored tokens'}; ${describe(r.status)}\n`);
      });
    });

  channels
    .command('pause')
    .description('pause a channel: nothing is sent to it until it is resumed')
    .argument('<channel>')
    .requiredOption('--reason <why>', 'why (staff see it)')
    .action(async (channel: string, options: { reason: string }) => {
      await client(async (c) => {
        const r = await c.call<{ channel: string; status: Status }>('channels.pause', { name: channel, reason: options.reason });
        process.stdout.write(`${r.channel}: ${describe(r.status)}\n`);
      });
    });

  channels
    .command('resume')
    .description('resume a paused channel; what waited goes out')
    .argument('<channel>')
    .action(async (channel: string) => {
      await client(async (c) => {
        const r = await c.call<{ channel: string; resumed: boolean; woken: number; status: Status }>('channels.resume', { name: channel });
        process.stdout.write(`${r.channel}: ${r.resumed ? `resumed; ${r.woken} waiting action(s) go now` : 'was not paused'}; ${describe(r.status)}\n`);
      });
    });
}

/** NAME=value lines from standard input (a prompt when it is a terminal), so tokens stay out of shell history and process lists. */
async function readSecrets(): Promise<Record<string, string>> {
  const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stderr : undefined, terminal: false });
  if (process.stdin.isTTY) process.stderr.write('tokens as NAME=value, one a line; an empty line ends:\n');
  const secrets: Record<string, string> = {};
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '') {
      if (process.stdin.isTTY) break;
      continue;
    }
    const i = line.indexOf('=');
    if (i <= 0) throw new UsageError(`expected NAME=value, got a line without "=" (its value is not shown)`);
    secrets[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return secrets;
}
