/**
 * The HTTP side: `/api/v10` routing, bot-token auth, request records, fault injection and
 * per-route rate limits with Discord's headers and 429 bodies.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_VERSION, ApiError, Errors, type DiscordErrorBody, type DiscordFault } from './protocol.js';
import { majorParameter, matchRoute, routeKey, type Route, type RouteContext } from './router.js';
import type { RateLimitConfig, RecordedRequest, RequestMatcher } from './types.js';

interface ArmedFault {
  matcher: RequestMatcher;
  fault: DiscordFault | 'after-commit';
  remaining: number;
}

interface Bucket {
  count: number;
  /** performance.now() when the window ends. */
  resetAt: number;
}

/**
 * Rate-limit windows run on real time, not the emulator clock: the client waits real time for
 * Reset-After, and a frozen clock would keep the bucket exhausted forever.
 */
class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaults: RateLimitConfig,
    readonly overrides: Map<string, RateLimitConfig>,
  ) {}

  private config(route: string): RateLimitConfig {
    return this.overrides.get(route) ?? this.defaults;
  }

  private bucket(route: string, major: string): Bucket {
    const key = `${route}|${major}`;
    const now = performance.now();
    let b = this.buckets.get(key);
    if (!b || now >= b.resetAt) {
      b = { count: 0, resetAt: now + this.config(route).windowMs };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Counts the request; returns the headers to send and, when over the limit, how long to wait. */
  take(route: string, major: string, consume: boolean): { headers: Record<string, string>; retryAfterMs: number | null } {
    const cfg = this.config(route);
    const b = this.bucket(route, major);
    const limited = b.count >= cfg.limit;
    if (consume && !limited) b.count += 1;
    const resetAfterMs = Math.max(0, b.resetAt - performance.now());
    const resetAfter = (resetAfterMs / 1000).toFixed(3);
    const headers = {
      'x-ratelimit-limit': String(cfg.limit),
      'x-ratelimit-remaining': String(Math.max(0, cfg.limit - b.count)),
      'x-ratelimit-reset': ((Date.now() + resetAfterMs) / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter,
      // Like Discord's, the bucket hash names the route, not the resource it is counted per.
      'x-ratelimit-bucket': createHash('sha1').update(route).digest('hex').slice(0, 32),
    };
    return { headers, retryAfterMs: consume && limited ? resetAfterMs : null };
  }
}

export interface RestOptions {
  routes: Route[];
  token(): string;
  now(): Date;
  defaultRateLimit: RateLimitConfig;
  rateLimits: Record<string, RateLimitConfig>;
}

export class RestHandler {
  readonly requests: RecordedRequest[] = [];
  private readonly armed: ArmedFault[] = [];
  private readonly limiter: RateLimiter;

  constructor(private readonly o: RestOptions) {
    this.limiter = new RateLimiter(o.defaultRateLimit, new Map(Object.entries(o.rateLimits)));
  }

  matches(m: RequestMatcher, r: { method: string; path: string; route: string | null }): boolean {
    return (
      (!m.method || m.method.toUpperCase() === r.method) &&
      (!m.route || m.route === r.route) &&
      (!m.path || (typeof m.path === 'string' ? m.path === r.path : m.path.test(r.path)))
    );
  }

  arm(matcher: RequestMatcher, fault: DiscordFault | 'after-commit', count: number): void {
    this.armed.push({ matcher, fault, remaining: count });
  }

  clearFaults(): void {
    this.armed.length = 0;
  }

  setRateLimit(route: string, config: RateLimitConfig | null): void {
    if (config) this.limiter.overrides.set(route, config);
    else this.limiter.overrides.delete(route);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.process(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!res.headersSent) this.send(res, 500, { message: `emulator bug: ${String(error)}`, code: 0 }, {});
      });
    });
  }

  private async process(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const versioned = /^\/api\/v(\d+)(\/.*)$/.exec(url.pathname);
    const version = versioned ? Number(versioned[1]) : null;
    const path = versioned?.[2] ?? url.pathname;
    const candidates = versioned ? matchRoute(this.o.routes, path) : [];
    const hit = candidates.find((c) => c.route.method === method);
    const key = hit ? routeKey(hit.route) : null;

    const headers = { ...req.headers };
    if (typeof headers.authorization === 'string') headers.authorization = headers.authorization.replace(/^(\S+\s+).*$/, '$1[redacted]').replace(/^[^\s]+$/, '[redacted]');
    const record: RecordedRequest = { method, path, route: key, version, query: Object.fromEntries(url.searchParams), headers, body: null, status: null, at: this.o.now() };
    this.requests.push(record);

    let body: unknown = null;
    const files: RouteContext['files'] = [];
    let bodyError: ApiError | null = null;
    const contentType = req.headers['content-type'] ?? '';
    if (raw.length) {
      if (contentType.startsWith('multipart/form-data')) {
        const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
        const payload = form.get('payload_json');
        try {
          body = typeof payload === 'string' ? (JSON.parse(payload) as unknown) : null;
        } catch {
          bodyError = Errors.invalidJson();
        }
        for (const [, value] of form) if (typeof value !== 'string') files.push({ name: value.name, size: value.size, contentType: value.type || 'application/octet-stream' });
      } else {
        try {
          body = JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
          bodyError = Errors.invalidJson();
        }
      }
    }
    record.body = body;
    const finish = (status: number) => {
      record.status = status;
    };

    const armedIndex = this.armed.findIndex((a) => a.remaining > 0 && this.matches(a.matcher, { method, path, route: key }));
    const armed = armedIndex >= 0 ? this.armed[armedIndex] : undefined;
    if (armed) {
      armed.remaining -= 1;
      if (armed.remaining === 0) this.armed.splice(armedIndex, 1);
    }
    const fault = armed?.fault;
    const major = hit ? majorParameter(hit.params) : 'global';
    if (fault && fault !== 'after-commit') {
      if (fault.kind === 'hang') return;
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      const isGlobal = fault.kind === 'error' && fault.headers?.['x-ratelimit-global'] === 'true';
      const limitHeaders = key && !isGlobal ? this.limiter.take(key, major, false).headers : {};
      finish(fault.status);
      if (fault.kind === 'raw') {
        res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/plain', ...fault.headers });
        res.end(fault.body);
        return;
      }
      this.send(res, fault.status, fault.body, { ...limitHeaders, ...fault.headers });
      return;
    }

    if (!versioned) return this.fail(res, finish, Errors.notFound(), {});
    if (version !== API_VERSION) return this.fail(res, finish, new ApiError(400, { message: 'Invalid API version', code: 50041 }), {});
    if (!hit) return this.fail(res, finish, candidates.length ? Errors.methodNotAllowed() : Errors.notFound(), {});
    if (hit.route.auth && req.headers.authorization !== `Bot ${this.o.token()}`) return this.fail(res, finish, Errors.unauthorized(), {});

    const limit = this.limiter.take(key as string, major, true);
    if (limit.retryAfterMs !== null) {
      const seconds = Math.max(0.001, limit.retryAfterMs / 1000);
      finish(429);
      this.send(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: Number(seconds.toFixed(3)), global: false },
        { ...limit.headers, 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-scope': 'user' },
      );
      return;
    }
    if (bodyError) return this.fail(res, finish, bodyError, limit.headers);

    let result;
    try {
      result = hit.route.handler({ params: hit.params, query: url.searchParams, body, files });
    } catch (error) {
      if (error instanceof ApiError) return this.fail(res, finish, error, limit.headers);
      // An emulator bug answers 500, so the test that hit it fails with the reason.
      return this.fail(res, finish, new ApiError(500, { message: `emulator bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, code: 0 }), limit.headers);
    }
    if (fault === 'after-commit') {
      req.socket.destroy();
      return;
    }
    finish(result.status);
    if (result.body === undefined) {
      res.writeHead(result.status, limit.headers);
      res.end();
      return;
    }
    this.send(res, result.status, result.body, limit.headers);
  }

  private fail(res: ServerResponse, finish: (status: number) => void, error: ApiError, headers: Record<string, string>): void {
    finish(error.status);
    this.send(res, error.status, error.body, { ...headers, ...error.headers });
  }

  private send(res: ServerResponse, status: number, body: unknown | DiscordErrorBody, headers: Record<string, string>): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}
