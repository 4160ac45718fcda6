/**
 * 보고서: a month's figures as tables and bar charts drawn on the server (SVG, no script), and
 * the same rows as CSV (with a BOM, for Excel) and an Excel workbook, all from the monthly report
 * operation, so the console, the CLI and the files say the same numbers.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { previousKstMonth, reportCsv, reportRows, reportXlsx, type MonthlyReport } from '../../inquiries/report.js';
import { renderPage } from './render.js';
import { view } from './routes-home.js';
import { call, ConsoleRefusal } from './session.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month asked for, or the previous one; a month that is not one is refused beside the field. */
function monthOf(query: Record<string, string | undefined>): { month: string; error: string | null } {
  const given = (query.month ?? '').trim();
  if (!given) return { month: previousKstMonth(new Date()), error: null };
  if (!MONTH.test(given)) return { month: previousKstMonth(new Date()), error: `달을 2026-11처럼 써 주세요. "${given.slice(0, 20)}"은(는) 달이 아니에요.` };
  return { month: given, error: null };
}

/** The month before and after, for the page's links. */
function neighbours(month: string): { prev: string; next: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const at = (year: number, mon: number) => `${year}-${String(mon).padStart(2, '0')}`;
  return { prev: m === 1 ? at(y - 1, 12) : at(y, m - 1), next: m === 12 ? at(y + 1, 1) : at(y, m + 1) };
}

export function reportRoutes(pages: FastifyInstance, ctx: AppContext): void {
  pages.get('/reports', async (request, reply) => {
    const { month, error } = monthOf(request.query as Record<string, string | undefined>);
    const report = await call<MonthlyReport>(ctx, request, 'reports.monthly', { month });
    const [year, mon] = month.split('-').map(Number) as [number, number];
    return renderPage(
      request,
      reply,
      'pages/reports',
      { title: `월간 보고서 ${year}년 ${mon}월`, report, rows: reportRows(report), month, ...neighbours(month), errors: error ? { month: error } : {}, status: error ? 400 : 200 },
      view(request),
    );
  });

  pages.get('/reports/export', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const { month, error } = monthOf(query);
    if (error) throw new ConsoleRefusal(400, '입력한 내용을 확인하세요', error);
    const format = query.format === 'xlsx' ? 'xlsx' : query.format === 'csv' ? 'csv' : null;
    if (!format) throw new ConsoleRefusal(400, '입력한 내용을 확인하세요', '파일 형식은 csv 또는 xlsx예요.');
    const report = await call<MonthlyReport>(ctx, request, 'reports.monthly', { month });
    const name = `월간보고서-${month}.${format}`;
    const body = format === 'csv' ? reportCsv(report) : await reportXlsx(report);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="report-${month}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(body);
  });
}
