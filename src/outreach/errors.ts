/** A staff action that cannot be done as asked; the message says why, for the person who asked. */
export class PostActionError extends Error {
  override name = 'PostActionError';
  constructor(
    message: string,
    /** What kind of refusal: the request itself is wrong, the post is missing, or its state does not allow it. */
    readonly code: 'invalid' | 'not_found' | 'conflict' = 'invalid',
  ) {
    super(message);
  }
}
