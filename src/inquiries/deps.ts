import type { AppContext } from '../app/context.js';

/** What the inquiry services need; the CLI builds this without channels, the worker has the whole AppContext. */
export type InquiryDeps = Pick<AppContext, 'config' | 'secrets' | 'store' | 'queues' | 'log' | 'relay' | 'calendar' | 'replies' | 'triage'>;
/** Delivery (replies, hiding comments) also talks to the channels. */
export type DeliveryDeps = InquiryDeps & Pick<AppContext, 'channels'>;
