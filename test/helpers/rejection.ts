import { expect } from 'vitest';

/** The error a promise rejects with, checked to be of `type`; fails the test when it resolves instead. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}
