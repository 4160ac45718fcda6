/**
 * A worker process for the triage crash test: the real `serve` worker role on the triage queue,
 * whose processor runs the real triage step and then, instead of finishing the job (follow-ups,
 * completion), prints `triaged <id>` and hangs until the test kills the process.
 */
import { openContext } from '../../src/app/open-context.js';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { triageInquiry } from '../../src/inquiries/triage-inquiry.js';

const opened = await openContext(loadConfig(), createLogger('silent'));

await serve(['worker'], {
  queues: ['triage'],
  processors: {
    'inquiry.triage': async ({ inquiryId }) => {
      // Triage commits, but the process dies before the job can record that it finished.
      const outcome = await triageInquiry({ ...opened.ctx, queues: { ...opened.ctx.queues, add: async () => undefined } as never }, inquiryId);
      process.stdout.write(`triaged ${inquiryId} ${outcome}\n`);
      await new Promise(() => undefined);
    },
  },
});
process.stdout.write('worker ready\n');
