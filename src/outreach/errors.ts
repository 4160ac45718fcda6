/** A staff action that cannot be done as asked; the message says why, for the person who asked. */
export class PostActionError extends Error {
  override name = 'PostActionError';
}
