import { z } from 'zod';
import { correctionsSince, loadCorrections } from '../../inquiries/corrections.js';
import { AUDIENCES, PRIORITIES, TOPICS } from '../../triage/rules.js';
import { defineOperation } from '../operation.js';
import { nullableTime } from '../schemas.js';

const correction = z.object({
  id: z.string(),
  text: z.string(),
  topic: z.enum(TOPICS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  audiences: z.array(z.enum(AUDIENCES)).optional(),
  spam: z.boolean().optional(),
  by: z.string(),
  at: z.string(),
});

export const triageOperations = [
  defineOperation({
    name: 'triage.corrections',
    method: 'GET',
    path: '/triage/corrections',
    summary: "Counselors' corrections of triage, as labelled examples (masked text), oldest first",
    roles: ['lead'],
    input: z.object({}),
    output: z.array(correction),
    run: async (ctx) => (await loadCorrections(ctx.store.db)) as z.input<typeof correction>[],
  }),
  defineOperation({
    name: 'triage.status',
    method: 'GET',
    path: '/triage/status',
    summary: 'The triage model in use: where it came from, when it was trained, on how many examples and corrections',
    roles: ['counselor', 'lead'],
    input: z.object({}),
    output: z.object({
      path: z.string(),
      source: z.enum(['file', 'shipped-examples', 'none']),
      trainedAt: nullableTime,
      examples: z.number(),
      corrections: z.number(),
      correctionsSinceTraining: z.number(),
      notes: z.array(z.string()),
    }),
    run: async (ctx) => {
      const status = ctx.triage.status();
      const trainedAt = status.trainedAt ? new Date(status.trainedAt) : undefined;
      return {
        ...status,
        trainedAt: status.trainedAt ?? null,
        notes: [...status.notes],
        correctionsSinceTraining: await correctionsSince(ctx.store.db, trainedAt),
      };
    },
  }),
];
