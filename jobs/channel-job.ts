import { channelJobDeps } from '../src/app/channel-deps.js';
import type { AppContext } from '../src/app/context.js';
import { CHANNEL_MODULES } from '../src/channels/registry.js';
import type { ChannelJobName } from '../src/channels/settings.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `<channel>.<job>`: a channel's own repeating job (the Facebook comment sweep), one per scheduler its module declares. */
export function channelJobProcessors(ctx: AppContext): { [N in ChannelJobName]: JobProcessor<N> } {
  return Object.fromEntries(
    CHANNEL_MODULES.flatMap((module) =>
      (module.schedulers ?? []).map((scheduler) => [`${module.name}.${scheduler.job}`, (async (_data, { signal }) => scheduler.run(channelJobDeps(ctx, module.name) as never, signal)) satisfies JobProcessor<ChannelJobName>]),
    ),
  ) as { [N in ChannelJobName]: JobProcessor<N> };
}
