/**
 * Server-side pages: Eta templates under views/ (escaped by default), one layout with the
 * navigation for the signed-in person's role, a flash message carried across a redirect, and the
 * helpers templates format with. Page handlers build plain view data; templates only lay it out.
 */
import { join } from 'node:path';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROJECT_ROOT } from '../../paths.js';
import type { UserRole } from '../../store/app-tables.js';
import type { Actor } from '../../users/users.js';
import * as labels from './labels.js';
import { previewView } from './platforms.js';

/** Read from the project root, so the compiled program (dist/) finds the same files. */
export const VIEWS_DIR = join(PROJECT_ROOT, 'src', 'web', 'console', 'views');

const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });

export interface NavItem {
  href: string;
  label: string;
  /** Who sees it (admins see everything); the pages themselves check through their operations. */
  roles: readonly UserRole[];
  /** Paths under it that mark it current. */
  match?: RegExp;
}

/**
 * The console's sections, in order. A page's operations decide what a role may do, this only
 * decides what is shown.
 */
export const NAV: NavItem[] = [
  { href: '/today', label: '오늘', roles: ['staff'] },
  { href: '/calendar', label: '일정', roles: ['staff'] },
  { href: '/posts', label: '게시물', roles: ['staff'], match: /^\/posts/ },
  { href: '/sources', label: '소스', roles: ['staff'] },
  { href: '/channels', label: '채널', roles: ['staff', 'lead', 'counselor'], match: /^\/(channels|outbox)/ },
  { href: '/inbox', label: '받은 문의', roles: ['lead', 'counselor'], match: /^\/inbox/ },
  { href: '/reports', label: '보고서', roles: ['staff', 'lead'], match: /^\/reports/ },
  { href: '/admin/users', label: '관리', roles: [], match: /^\/admin/ },
];

export function navFor(role: UserRole): NavItem[] {
  return NAV.filter((item) => role === 'admin' || item.roles.includes(role));
}

/** Where a role starts: staff and admins at today's view, counselors and leads at the inbox. */
export function homeOf(role: UserRole): string {
  return role === 'lead' || role === 'counselor' ? '/inbox' : '/today';
}

export interface Flash {
  tone: 'ok' | 'bad' | 'info';
  text: string;
}

const FLASH_COOKIE = 'ontact_flash';

/** A message for the page the next redirect lands on. */
export function setFlash(reply: FastifyReply, flash: Flash): void {
  reply.setCookie(FLASH_COOKIE, Buffer.from(JSON.stringify(flash), 'utf8').toString('base64url'), { path: '/', httpOnly: true, sameSite: 'lax', secure: reply.request.protocol === 'https', maxAge: 60 });
}

function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | null {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Flash>;
    if ((parsed.tone === 'ok' || parsed.tone === 'bad' || parsed.tone === 'info') && typeof parsed.text === 'string') return { tone: parsed.tone, text: parsed.text.slice(0, 500) };
  } catch {
    // A flash cookie someone edited is simply not shown.
    return null;
  }
  return null;
}

/** Everything templates format with. */
export const helpers = {
  ...labels,
  preview: previewView,
  /** `?a=1&b=2` from the values that are set. */
  query(values: Record<string, string | number | boolean | null | undefined>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '' && value !== false) params.set(key, String(value));
    const text = params.toString();
    return text ? `?${text}` : '';
  },
  json(value: unknown): string {
    return JSON.stringify(value, null, 2);
  },
};

export interface PageOptions {
  title: string;
  /** Extra words after the title in the browser tab (e.g. the post's title). */
  status?: number;
  /** Form problems: field → message, shown beside the field and summed up at the top. */
  errors?: Record<string, string>;
}

export interface SessionView {
  actor: Actor;
  csrfToken: string;
}

/** Renders a view inside the layout for the signed-in person (or none: sign-in pages). */
export function renderPage(request: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown> & PageOptions, session: SessionView | null): FastifyReply {
  const path = request.url.split('?')[0]!;
  const flash = takeFlash(request, reply);
  const common = { h: helpers, csrf: session?.csrfToken ?? (data.csrf as string | undefined) ?? '', actor: session?.actor ?? null, errors: data.errors ?? {}, path };
  const body = eta.render(view, { ...data, ...common });
  const nav = session ? navFor(session.actor.role).map((item) => ({ ...item, current: item.match ? item.match.test(path) : path === item.href || path.startsWith(`${item.href}/`) })) : [];
  const html = eta.render('layout', {
    ...common,
    title: data.title,
    body,
    nav,
    flash,
    roleLabel: session ? labels.ROLE_LABEL[session.actor.role] : '',
    errorCount: Object.keys(data.errors ?? {}).length,
  });
  return reply
    .code(data.status ?? 200)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** A piece of a page for htmx to swap in (no layout). */
export function renderFragment(reply: FastifyReply, view: string, data: Record<string, unknown>, session: SessionView | null, status = 200): FastifyReply {
  const html = eta.render(view, { ...data, h: helpers, csrf: session?.csrfToken ?? '', actor: session?.actor ?? null, errors: (data.errors as Record<string, string> | undefined) ?? {} });
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
