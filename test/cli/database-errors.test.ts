import { describe, expect, it } from 'vitest';
import { connectionFailure, DatabaseUnreachableError } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { TEST_DATABASE_URL } from '../helpers/context.js';

/** One plain line on stderr: no stack frame, no driver internals. */
function expectOnePlainLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at |unexpected error|node_modules/m);
  return lines[0]!;
}

describe('a DATABASE_URL that does not lead to a database', () => {
  const database = new URL(TEST_DATABASE_URL);
  const server = `${database.hostname}:${database.port || '5432'}`;

  it('is one plain line naming the URL and the reason, with exit code 1', async () => {
    const cases: [string, RegExp][] = [
      ['postgres://postgres@127.0.0.1:1/test', /^ontact: cannot use the database at postgres:\/\/postgres@127\.0\.0\.1:1\/test: connection refused at 127\.0\.0\.1:1 \(is PostgreSQL running there\?\)\. Check DATABASE_URL/],
      ['postgres://postgres@no-such-host.invalid:5432/test', /^ontact: cannot use the database at postgres:\/\/postgres@no-such-host\.invalid:5432\/test: unknown host "no-such-host\.invalid"\./],
      ['postgres://ontact:hunter2@[::1/test', /^ontact: cannot use the database at postgres:\/\/ontact:\[redacted\]@\[::1\/test: the URL is malformed/],
      [`postgres://no_such_role_x:hunter2@${server}/test`, /^ontact: cannot use the database at postgres:\/\/no_such_role_x:\[redacted\]@[^ ]+\/test: the server refused the connection \(role "no_such_role_x" does not exist\)\./],
      [`postgres://postgres@${server}/no_such_database_x`, /^ontact: cannot use the database at postgres:\/\/postgres@[^ ]+\/no_such_database_x: database "no_such_database_x" does not exist\./],
    ];
    // One after another: each is a separate process on a shared two-core machine.
    for (const [url, expected] of cases) {
      const result = await runCli(['migrate'], { DATABASE_URL: url, LOG_LEVEL: 'warn' });
      expect(result.code, `${url}\n${result.stderr}`).toBe(1);
      expect(expectOnePlainLine(result.stderr)).toMatch(expected);
      expect(result.stderr).not.toContain('hunter2');
    }
  }, 120_000);
});

describe('connectionFailure', () => {
  it('says the password was refused without repeating it', () => {
    const url = 'postgres://ontact:hunter2@db.internal:5432/ontact';
    const reason = connectionFailure(Object.assign(new Error('password authentication failed for user "ontact"'), { code: '28P01' }), url);
    expect(reason).toBe('the server refused the password (password authentication failed for user "ontact")');
    const error = new DatabaseUnreachableError(url, reason);
    expect(error.name).toBe('DatabaseUnreachableError');
    expect(error.message).toBe(
      'cannot use the database at postgres://ontact:[redacted]@db.internal:5432/ontact: the server refused the password (password authentication failed for user "ontact"). Check DATABASE_URL (or unset it to use the embedded database).',
    );
  });

  it('explains a server that wants a password the URL lacks, and one that never answers', () => {
    expect(connectionFailure(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), 'postgres://ontact@db:5432/x')).toBe('the server asks for a password and the URL gives none');
    expect(connectionFailure(new Error('Connection terminated due to connection timeout'), 'postgres://ontact@10.0.0.9/x')).toBe('no answer from 10.0.0.9:5432 within 5 seconds');
    const refused = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], '');
    expect(connectionFailure(refused, 'postgres://ontact@localhost/x')).toBe('connection refused at localhost:5432 (is PostgreSQL running there?)');
  });
});
