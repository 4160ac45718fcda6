import { z } from 'zod';
import { channelStatus, connectChannel, disconnectChannel, pauseChannelByStaff, resumeChannelByStaff } from '../../channels/connections.js';
import type { ChannelStatus } from '../../channels/status.js';
import { actorName } from '../../users/users.js';
import { defineOperation } from '../operation.js';
import { nullableTime, time } from '../schemas.js';

const status = z.object({
  channel: z.string(),
  label: z.string(),
  mode: z.enum(['live', 'dry']),
  dry: z.object({ why: z.string(), detail: z.string() }).nullable(),
  missing: z.array(z.string()),
  credentials: z.array(z.object({ variable: z.string(), purpose: z.string(), toSend: z.boolean(), source: z.enum(['env', 'store']).nullable() })),
  connection: z.object({ by: z.string(), at: time }).nullable(),
  pause: z.object({ status: z.string(), reason: z.string().nullable(), until: nullableTime, since: time, by: z.string().nullable(), renewed: z.boolean() }).nullable(),
  problems: z.array(z.string()),
});

const asJson = (s: ChannelStatus) => s as unknown as z.input<typeof status>;
const name = z.string().min(1).max(40);

export const channelOperations = [
  defineOperation({
    name: 'channels.list',
    method: 'GET',
    path: '/channels',
    summary: 'Each channel: live or dry-run and why, where its credentials come from, paused and why',
    roles: ['staff', 'lead', 'counselor'],
    input: z.object({}),
    output: z.array(status),
    run: async (ctx) => (await channelStatus(ctx)).map(asJson),
  }),
  defineOperation({
    name: 'channels.connect',
    method: 'POST',
    path: '/channels/:name/connect',
    summary: "Store a channel's tokens, sealed with the data key (the environment still wins); a paused channel resumes without a restart",
    roles: [],
    input: z.object({ name, secrets: z.record(z.string(), z.string().min(1).max(4096)) }),
    output: z.object({ channel: z.string(), stored: z.array(z.string()), shadowedByEnv: z.array(z.string()), resumed: z.boolean(), woken: z.number(), status }),
    async run(ctx, actor, input) {
      const outcome = await connectChannel(ctx, input.name, input.secrets, actorName(actor));
      return { ...outcome, status: asJson(outcome.status) } as never;
    },
  }),
  defineOperation({
    name: 'channels.disconnect',
    method: 'POST',
    path: '/channels/:name/disconnect',
    summary: "Forget a channel's stored tokens",
    roles: [],
    input: z.object({ name }),
    output: z.object({ channel: z.string(), removed: z.boolean(), status }),
    async run(ctx, actor, input) {
      const outcome = await disconnectChannel(ctx, input.name, actorName(actor));
      return { ...outcome, status: asJson(outcome.status) } as never;
    },
  }),
  defineOperation({
    name: 'channels.pause',
    method: 'POST',
    path: '/channels/:name/pause',
    summary: 'Pause a channel: nothing is sent to it until it is resumed',
    roles: ['staff'],
    input: z.object({ name, reason: z.string().min(1).max(500) }),
    output: z.object({ channel: z.string(), status }),
    async run(ctx, actor, input) {
      const outcome = await pauseChannelByStaff(ctx, input.name, input.reason, actorName(actor));
      return { channel: outcome.channel, status: asJson(outcome.status) };
    },
  }),
  defineOperation({
    name: 'channels.resume',
    method: 'POST',
    path: '/channels/:name/resume',
    summary: 'Resume a paused channel; what waited goes out',
    roles: ['staff'],
    input: z.object({ name }),
    output: z.object({ channel: z.string(), resumed: z.boolean(), woken: z.number(), status }),
    async run(ctx, actor, input) {
      const outcome = await resumeChannelByStaff(ctx, input.name, actorName(actor));
      return { ...outcome, status: asJson(outcome.status) } as never;
    },
  }),
];
