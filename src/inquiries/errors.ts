/**
 * A counselor action that cannot be done, with a message that says why and what to do instead.
 * Messages name ids, teams and statuses only, never a citizen's text.
 */
export type InquiryErrorKind = 'not_found' | 'forbidden' | 'invalid' | 'conflict' | 'unavailable';

export class InquiryError extends Error {
  constructor(
    readonly kind: InquiryErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'InquiryError';
  }
}

/** An inbound event that does not fit the intake contract; `problems` name the fields, never their values. */
export class InboundEventError extends Error {
  constructor(readonly problems: string[]) {
    super(`inbound event rejected: ${problems.join('; ')}`);
    this.name = 'InboundEventError';
  }
}
