import { Command, Option } from 'commander';
import { isQueueName, QUEUE_NAMES, type QueueName } from '../queues/registry.js';
import { reportError, UsageError } from './errors.js';
import { registerOutreachCommands } from './outreach-commands.js';
import { registerInquiryCommands } from './inquiries-commands.js';
import { registerAccountCommands } from './account-commands.js';
import { registerChannelCommands } from './channel-commands.js';
import { registerTriageCommands } from './triage-commands.js';
import { registerYouTubeCommands } from './youtube-commands.js';

// Commands import what they need when they run, so `--help` and typos answer at once.
const program = new Command('ontact')
  .description("Ontact: cross-posts job listings, training and lectures to Facebook, YouTube and Discord, and triages citizens' inquiries.")
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

program
  .command('start')
  .description('run every role in one process: web, workers, schedulers and the chat gateway (the default setup)')
  .action(async () => (await import('./serve.js')).serve(['web', 'worker', 'gateway'], { privateRedis: true }));

program
  .command('web')
  .description('run the web role only: webhooks, dashboard, /healthz, /readyz and /metrics')
  .action(async () => (await import('./serve.js')).serve(['web']));

program
  .command('worker')
  .description('run the worker role only: process queued jobs (run as many as you like, on any machine)')
  .addOption(new Option('--queues <names>', `comma-separated queues to serve (default: all of ${QUEUE_NAMES.join(', ')})`))
  .action(async (options: { queues?: string }) => {
    const queues = parseQueues(options.queues);
    await (await import('./serve.js')).serve(['worker'], { queues });
  });

program
  .command('gateway')
  .description('run the chat gateway role only (one process per Discord bot)')
  .action(async () => (await import('./serve.js')).serve(['gateway']));

program
  .command('migrate')
  .description('apply pending database migrations and exit (start-up also does this)')
  .action(async () => {
    const { loadConfig } = await import('../config/load.js');
    const { openStore } = await import('../store/store.js');
    const store = await openStore(loadConfig().config);
    try {
      process.stdout.write(`database is up to date (${store.kind} at ${store.location})\n`);
    } finally {
      await store.close();
    }
  });

program
  .command('doctor')
  .description('check configuration, database, Redis, clock and channel credentials')
  .action(async () => {
    const { formatDoctor, runDoctor } = await import('./doctor.js');
    const lines = await runDoctor();
    process.stdout.write(`${formatDoctor(lines)}\n`);
    if (lines.some((l) => l.verdict === 'fail')) process.exitCode = 1;
  });

program
  .command('config')
  .description('print the effective configuration, with secrets redacted')
  .action(async () => {
    const { loadConfig } = await import('../config/load.js');
    const { printableConfig } = await import('../config/print.js');
    const { stringify } = await import('yaml');
    process.stdout.write(stringify(printableConfig(loadConfig())));
  });

registerOutreachCommands(program);
registerInquiryCommands(program);
registerAccountCommands(program);
registerChannelCommands(program);
registerTriageCommands(program);
registerYouTubeCommands(program);

function parseQueues(value: string | undefined): QueueName[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isQueueName(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--queues: unknown queue ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; choose from ${QUEUE_NAMES.join(', ')}`);
  }
  return names as QueueName[];
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exit(reportError(error));
});
