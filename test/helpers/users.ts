import type { AppContext } from '../../src/app/context.js';
import type { UserRole } from '../../src/store/app-tables.js';
import { createUser, issueToken } from '../../src/users/users.js';

/** An account with an API token, made straight in the store (as an admin would with `ontact users add`). */
export async function userWithToken(ctx: AppContext, login: string, role: UserRole, name = login): Promise<string> {
  await createUser(ctx.store.db, ctx.config, { login, name, role }, 'test:setup');
  return (await issueToken(ctx.store.db, login, 'test')).token;
}

/** The environment a CLI child needs to act as a new account of this role on the test's store. */
export async function cliAs(ctx: AppContext, role: UserRole, login = `test.${role}`): Promise<{ ONTACT_TOKEN: string }> {
  return { ONTACT_TOKEN: await userWithToken(ctx, login, role) };
}

/** A token for a new account made straight in a test configuration's store (for CLI tests that open no context of their own). */
export async function tokenInStore(t: import('../../src/config/load.js').LoadedConfig, role: UserRole, login = `test.${role}`): Promise<string> {
  const { openTestContext } = await import('./context.js');
  const opened = await openTestContext(t);
  try {
    return await userWithToken(opened.ctx, login, role);
  } finally {
    await opened.close();
  }
}
