/** Route table shared by the REST handler files. */
import type { World } from './world.js';

export interface RouteResult {
  status: number;
  /** Undefined answers 204 with no body. */
  body?: unknown;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Files of a multipart body. */
  files: { name: string; size: number; contentType: string }[];
}

export interface Route {
  method: string;
  /** e.g. `/channels/:channel/messages/:message`; `:name` matches one segment. */
  pattern: string;
  /** false for interaction callbacks and interaction webhooks, which take no bot token. */
  auth: boolean;
  handler(ctx: RouteContext): RouteResult;
}

export interface RouteEnv {
  world: World;
  options: { interactionDeadlineMs: number; gatewayUrl: string; token: () => string };
}

export const ok = (body: unknown, status = 200): RouteResult => ({ status, body });
export const noContent = (): RouteResult => ({ status: 204 });

export function route(method: string, pattern: string, handler: Route['handler'], auth = true): Route {
  return { method, pattern, auth, handler };
}

/** The route key a request is recorded and rate limited under, e.g. `POST /channels/:channel/messages`. */
export const routeKey = (r: Route) => `${r.method} ${r.pattern}`;

export function matchRoute(routes: readonly Route[], path: string): { route: Route; params: Record<string, string> }[] {
  const segments = path.split('/').filter(Boolean);
  const found: { route: Route; params: Record<string, string> }[] = [];
  for (const r of routes) {
    const parts = r.pattern.split('/').filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i] as string;
      const seg = decodeURIComponent(segments[i] as string);
      if (part.startsWith(':')) params[part.slice(1)] = seg;
      else if (part !== seg) {
        matched = false;
        break;
      }
    }
    if (matched) found.push({ route: r, params });
  }
  return found;
}

/** The top-level resource Discord counts a route's limit per: channel, guild, webhook, interaction. */
export function majorParameter(params: Record<string, string>): string {
  if (params.channel) return `channel:${params.channel}`;
  if (params.guild) return `guild:${params.guild}`;
  if (params.token && params.app) return `webhook:${params.app}:${params.token}`;
  if (params.interaction) return `interaction:${params.interaction}`;
  return 'global';
}
