/**
 * A platform's live side (its SDK, its gateway) loaded when it is first used for real. A channel
 * module is listed at every start, so whatever it imports statically is loaded (and kept
 * resident) even when the channel runs dry; these stand in for the real objects until a call
 * needs them.
 */
import type { Channel, ChannelDescription } from './channel.js';
import type { ChannelGateway } from './module.js';

/**
 * A live channel built on its first call. `describe()` answers at once from `description`, so
 * it must be what the real channel says; `optional` names the optional methods the real one has.
 */
export function lazyChannel(description: ChannelDescription, load: () => Promise<Channel>, optional: { reply?: boolean; hide?: boolean } = {}): Channel {
  let loading: Promise<Channel> | undefined;
  const real = (): Promise<Channel> => {
    // A failed load is not kept: the call that met it fails with why, and the next one tries again.
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const missing = (method: string) => new Error(`the ${description.name} channel has no ${method}, though its module said it had`);
  return {
    name: description.name,
    describe: () => description,
    publish: async (request, signal) => (await real()).publish(request, signal),
    update: async (request, signal) => (await real()).update(request, signal),
    remove: async (request, signal) => (await real()).remove(request, signal),
    ...(optional.reply
      ? {
          async reply(request, signal) {
            const channel = await real();
            if (!channel.reply) throw missing('reply');
            return channel.reply(request, signal);
          },
        }
      : {}),
    ...(optional.hide
      ? {
          async hide(request, signal) {
            const channel = await real();
            if (!channel.hide) throw missing('hide');
            return channel.hide(request, signal);
          },
        }
      : {}),
  } satisfies Channel;
}

/** A gateway created when it is started; `ended` follows the real one's. */
export function lazyGateway(load: () => Promise<ChannelGateway>): ChannelGateway {
  let loading: Promise<ChannelGateway> | undefined;
  let settle: (value: Awaited<ChannelGateway['ended']>) => void = () => undefined;
  const ended = new Promise<Awaited<ChannelGateway['ended']>>((resolve) => {
    settle = resolve;
  });
  return {
    async start(missedSince) {
      loading ??= load().then((gateway) => {
        void gateway.ended.then(settle);
        return gateway;
      });
      return (await loading).start(missedSince);
    },
    async stop() {
      // Never started, or its loading failed (which start() already reported to its caller): nothing runs to stop.
      const gateway = await loading?.catch(() => undefined);
      await gateway?.stop();
    },
    ended,
  };
}
