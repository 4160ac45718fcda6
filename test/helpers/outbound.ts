import { createOutboundEngine } from '../../jobs/index.js';
import type { AppContext } from '../../src/app/context.js';
import type { RunOutcome } from '../../src/outbound/engine.js';

/** Runs the open action of a subject (a delivery, a reply) here and now, as its job would, and waits for its post's status to be summed up. */
export async function runOpenAction(ctx: AppContext, subjectType: string, subjectId: number): Promise<RunOutcome> {
  const action = await ctx.store.db
    .selectFrom('actions')
    .selectAll()
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .where('status', 'in', ['pending', 'waiting', 'running'])
    .executeTakeFirst();
  if (!action) throw new Error(`${subjectType} ${subjectId} has no open action`);
  const outcome = await createOutboundEngine(ctx).run(action.id, { gen: action.requeued });
  await ctx.postSums.drain();
  return outcome;
}

/** Runs the open action of every given delivery. */
export async function runDeliveries(ctx: AppContext, deliveryIds: readonly number[]): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  for (const id of deliveryIds) outcomes.push(await runOpenAction(ctx, 'delivery', id));
  return outcomes;
}
