/**
 * Issue 16 in the running system: triage uses the trained model and keeps the reasons for each
 * decision where counselors see them; a counselor's correction changes the inquiry at once (team,
 * deadline) and is kept as a labelled example with who and when; retraining learns from the
 * corrections and switches only to a model that scores at least as well; a running Ontact picks
 * up a newly written model without a restart; retention takes corrections with the text.
 */
import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/api/operation.js';
import { operation } from '../../src/api/index.js';
import { wantedSchedulers, ensureSchedulers } from '../../src/app/keeper.js';
import { markSpam } from '../../src/inquiries/actions.js';
import { deadlineDedupIds } from '../../src/inquiries/deadlines.js';
import { correctTriage, loadCorrections, retrainFromCorrections } from '../../src/inquiries/corrections.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { maintainInquiries } from '../../src/inquiries/retention.js';
import { createLogger } from '../../src/log.js';
import { loadShippedExamples, splitHeldBack } from '../../src/triage/examples.js';
import { trainModel } from '../../src/triage/model.js';
import { loadTriageRules } from '../../src/triage/rules.js';
import { TriageService } from '../../src/triage/service.js';
import { readTriageModel, writeTriageModel } from '../../src/triage/triager.js';
import { authenticate } from '../../src/users/users.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/context.js';
import { userWithToken } from '../helpers/users.js';
import { inbound, startApp, TEST_TEAMS, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

async function triaged(a: InquiryTestApp, text: string, overrides: Parameters<typeof inbound>[0] = {}) {
  const result = await receiveInbound(a.ctx, inbound({ text, ...overrides }));
  return waitForStatus(a, result.inquiryId!, ['open', 'answered', 'spam']);
}

async function as(a: InquiryTestApp, login: string, role: 'counselor' | 'lead' | 'admin') {
  const token = await userWithToken(a.ctx, login, role);
  const actor = await authenticate(a.ctx.store.db, a.ctx.config, token);
  return { token, call: <T>(name: string, input: Record<string, unknown>) => invoke(a.ctx, actor, operation(name), input) as Promise<T> };
}

describe('triage in the running system', () => {
  it("decides with the model and keeps the reasons, which `inquiries show` prints for the counselor", async () => {
    const a = await startApp({ queues: ['triage'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const row = await triaged(a, '어제 사장님이 내일부터 나오지 말라고 했어요. 계약서도 안 썼는데 어떻게 해야 하나요');
    expect(row).toMatchObject({ priority: 'urgent', triage_engine: 'model' });
    const priority = row.triage_explanations.find((e) => e.facet === 'priority' || e.facet === 'urgency');
    expect(priority?.features.length).toBeGreaterThan(0);

    const kim = await as(a, 'kim.minji', 'lead');
    const shown = await kim.call<{ triage: { engine: string; explanations: { facet: string; label: string; features: { feature: string }[] }[] } }>('inquiries.get', { id: row.id });
    expect(shown.triage.engine).toBe('model');
    expect(shown.triage.explanations.map((e) => e.facet)).toContain('topic');

    const cli = await runCli(['inquiries', 'show', String(row.id)], { ...a.env, ONTACT_TOKEN: kim.token });
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/^triage by the model, because of:$/m);
    expect(cli.stdout).toMatch(/^ {2}(priority|urgency) = urgent \(\d\.\d\d\): .*[+-]\d+\.\d\d/m);
    expect(cli.stdout).toContain(`ontact inquiries correct ${row.id}`);
  });

  it('applies a correction at once (the owning team, a new deadline) and keeps it as an example with who and when', async () => {
    const a = await startApp({ queues: ['triage'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const row = await triaged(a, '봉동 생산직 공고 아직 모집하나요? 신입도 지원 가능한지 궁금합니다');
    expect(row).toMatchObject({ topic: 'job_search', team: '취업지원팀', priority: 'normal' });

    const kim = await as(a, 'kim.minji', 'lead');
    const corrected = await kim.call<{ topic: string; priority: string; team: string; assignee: string; dueAt: string }>('inquiries.correct', { id: row.id, topic: 'training', priority: 'high' });
    expect(corrected).toMatchObject({ topic: 'training', priority: 'high', team: '교육훈련팀', assignee: 'kang.dohyun' });
    expect(new Date(corrected.dueAt).getTime()).toBeLessThan(row.due_at!.getTime());

    const after = await a.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after.deadline_version).toBe(row.deadline_version + 1);
    // The new deadline's reminder is queued; the old one's is gone.
    const deadlines = a.ctx.queues.queue('deadlines');
    await waitFor('the new reminder job', async () => (await deadlines.getDeduplicationJobId(deadlineDedupIds(row.id, after.deadline_version).remind)) ?? false);
    expect(await deadlines.getDeduplicationJobId(deadlineDedupIds(row.id, row.deadline_version).remind)).toBeFalsy();

    const [example] = await loadCorrections(a.ctx.store.db);
    expect(example).toMatchObject({ text: row.masked_text, topic: 'training', priority: 'high', by: 'counselor:kim.minji' });
    expect(example!.spam).toBeUndefined();
    const stored = await a.ctx.store.db.selectFrom('triage_corrections').selectAll().executeTakeFirstOrThrow();
    expect(stored.previous).toEqual({ topic: 'job_search', priority: 'normal' });

    // Marking spam (and taking it back) is a correction too.
    const ad = await triaged(a, '부업으로 월 300 보장! 카톡 오픈채팅 들어오세요');
    if (ad.status === 'spam') await markSpam(a.ctx, ad.id, 'kim.minji', false);
    else await markSpam(a.ctx, ad.id, 'kim.minji', true);
    const spamCorrection = (await loadCorrections(a.ctx.store.db)).find((c) => c.text === ad.masked_text);
    expect(spamCorrection).toMatchObject({ spam: ad.status !== 'spam', by: 'counselor:kim.minji' });

    const audit = await a.ctx.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'inquiry.triage_corrected').executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ topic: { from: 'job_search', to: 'training' }, priority: { from: 'normal', to: 'high' } });
  });

  it('refuses a correction that says nothing, an unknown topic, and a correction of an inquiry still being triaged', async () => {
    const a = await startApp({ config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const kim = await as(a, 'kim.minji', 'lead');
    const waiting = await receiveInbound(a.ctx, inbound({ text: '실업급여 문의드립니다' }));
    await expect(kim.call('inquiries.correct', { id: waiting.inquiryId })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('give a topic, a priority or audiences') });
    await expect(kim.call('inquiries.correct', { id: waiting.inquiryId, topic: 'weather' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('topic') });
    await expect(kim.call('inquiries.correct', { id: waiting.inquiryId, topic: 'benefits' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('still being triaged') });
    await expect(correctTriage(a.ctx, waiting.inquiryId!, 'nobody', { topic: 'benefits' })).rejects.toThrow(/nobody/);
  });

  it('retrains on the corrections nightly, switching only to a model at least as good, and says when there was nothing new', async () => {
    const a = await startApp({ queues: ['triage'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const modelPath = join(mkdtempSync(join(tmpdir(), 'ontact-retrain-')), 'triage-model.json');
    const rules = loadTriageRules();
    const trainedAt = new Date(Date.now() - 24 * 3600_000);
    writeTriageModel(modelPath, trainModel(splitHeldBack(loadShippedExamples()).train, { rules, trainedAt: trainedAt.toISOString() }));
    const triage = new TriageService(rules, modelPath, createLogger('silent'), { recheckMs: 0 });
    const deps = { store: a.ctx.store, triage };

    expect(await retrainFromCorrections(deps, new Date())).toMatchObject({ outcome: 'unchanged', reason: expect.stringContaining('no corrections since') });

    // Counselors keep saying that questions about the local-food shop are start-up questions.
    const texts = ['로컬푸드 직매장에 농산물 납품하려면 어디에 신청하나요', '로컬푸드 매장 입점 조건이 궁금해요', '로컬푸드 직매장 출하 농가 등록 방법 알려주세요', '로컬푸드에 수제청 납품 가능한가요', '로컬푸드 직매장 판매자 모집 언제 하나요', '우리 밭 채소를 로컬푸드 매장에 내고 싶어요'];
    for (const text of texts) {
      const row = await triaged(a, text);
      await correctTriage(a.ctx, row.id, 'kim.minji', { topic: 'startup' });
    }
    const result = await retrainFromCorrections(deps, new Date());
    expect(result).toMatchObject({ outcome: 'switched', corrections: texts.length, reason: expect.stringContaining('scores at least as well') });
    const inForce = readTriageModel(modelPath);
    expect(inForce.summary.corrections).toBeGreaterThan(0);
    expect(triage.status()).toMatchObject({ source: 'file', corrections: inForce.summary.corrections });
    expect(triage.classify('로컬푸드 직매장에 잼 납품하고 싶습니다').topic).toBe('startup');

    // A model in use that the candidate cannot match (this one has seen the held-back examples) stays.
    const better = trainModel(loadShippedExamples(), { rules, trainedAt: trainedAt.toISOString() });
    writeTriageModel(modelPath, better);
    const another = await triaged(a, '로컬푸드 직매장 납품 계약서 양식 받을 수 있나요');
    await correctTriage(a.ctx, another.id, 'kim.minji', { topic: 'startup' });
    const kept = await retrainFromCorrections({ store: a.ctx.store, triage: new TriageService(rules, modelPath, createLogger('silent')) }, new Date());
    expect(kept).toMatchObject({ outcome: 'kept', reason: expect.stringMatching(/scores lower|fewer urgent/) });
    expect(readTriageModel(modelPath).summary.trainedAt).toBe(trainedAt.toISOString());
    // Three trainings: well over the default test time on a busy machine.
  }, 120_000);

  it('`ontact triage train` learns from the corrections stored in Ontact, read as a lead', async () => {
    const a = await startApp({ queues: ['triage'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const row = await triaged(a, '센터 세미나실 대관 되나요');
    await correctTriage(a.ctx, row.id, 'kim.minji', { topic: 'other' });
    const out = join(mkdtempSync(join(tmpdir(), 'ontact-cli-train-')), 'triage-model.json');

    const counselor = await as(a, 'park.jiyoung', 'counselor');
    const refused = await runCli(['triage', 'train', '--out', out], { ...a.env, ONTACT_TOKEN: counselor.token });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/may not|lead/);

    const lead = await as(a, 'kim.minji', 'lead');
    const trained = await runCli(['triage', 'train', '--out', out], { ...a.env, ONTACT_TOKEN: lead.token }, 120_000);
    expect(trained.stderr).toBe('');
    expect(trained.stdout).toMatch(/\(\d+ shipped, 1 correction\(s\) made in Ontact\)/);
    expect(trained.stdout).toMatch(/^wrote .*triage-model\.json: there is no current model/m);
    expect(readTriageModel(out).summary.examples).toBe(Number(/trained on (\d+) example/.exec(trained.stdout)![1]));
  }, 120_000);

  it('takes up a model written by `ontact triage train` without a restart, and keeps working when a written file is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-reload-'));
    const modelPath = join(dir, 'triage-model.json');
    const rules = loadTriageRules();
    const shipped = loadShippedExamples();
    writeTriageModel(modelPath, trainModel(shipped.filter((_, i) => i % 2 === 0), { rules, trainedAt: '2026-01-01T00:00:00.000Z' }));
    const triage = new TriageService(rules, modelPath, createLogger('silent'), { recheckMs: 0 });
    expect(triage.status()).toMatchObject({ source: 'file', trainedAt: '2026-01-01T00:00:00.000Z' });

    writeTriageModel(modelPath, trainModel(shipped.filter((_, i) => i % 2 === 1), { rules, trainedAt: '2026-02-01T00:00:00.000Z' }));
    utimesSync(modelPath, new Date(), new Date(Date.now() + 5000));
    expect(triage.status().trainedAt).toBe('2026-02-01T00:00:00.000Z');

    const { writeFileSync } = await import('node:fs');
    writeFileSync(modelPath, '{"format":"something else"}');
    utimesSync(modelPath, new Date(), new Date(Date.now() + 10_000));
    expect(triage.status().trainedAt).toBe('2026-02-01T00:00:00.000Z');
    expect(triage.classify('실업급여 신청은 어디서 하나요').topic).toBe('benefits');
  });

  it('trains and keeps a model on a first start when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-first-'));
    const modelPath = join(dir, 'data', 'triage-model.json');
    const triage = new TriageService(loadTriageRules(), modelPath, createLogger('silent'));
    expect(triage.classify('내일배움카드 발급 받으려면 어떻게 하나요').topic).toBe('training');
    expect(triage.status()).toMatchObject({ source: 'shipped-examples' });
    expect(readTriageModel(modelPath).summary.examples).toBe(splitHeldBack(loadShippedExamples()).train.length);
  });

  it('schedules the nightly retraining at 03:00 Seoul time', async () => {
    const a = await startApp({ config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    expect(wantedSchedulers(a.ctx).find((s) => s.name === 'triage.retrain')).toMatchObject({ pattern: '0 3 * * *' });
    await ensureSchedulers(a.ctx);
    const schedulers = await a.ctx.queues.queue('maintenance').getJobSchedulers(0, -1);
    expect(schedulers.find((s) => s.key === 'triage-retrain')).toMatchObject({ pattern: '0 3 * * *', tz: 'Asia/Seoul' });
  });

  it('deletes corrections with the text when retention anonymises their inquiry', async () => {
    const a = await startApp({ queues: ['triage'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const row = await triaged(a, '취업성공패키지 상담 받고 싶어요', { at: new Date(Date.now() - 60_000) });
    await correctTriage(a.ctx, row.id, 'kim.minji', { topic: 'job_search', priority: 'normal' });
    expect(await loadCorrections(a.ctx.store.db)).toHaveLength(1);
    const later = new Date(Date.now() + (a.ctx.config.inquiries.retention.inquiryDays + 1) * 24 * 3600_000);
    expect(await maintainInquiries(a.ctx, later)).toMatchObject({ anonymised: 1 });
    expect(await loadCorrections(a.ctx.store.db)).toEqual([]);
    const gone = await a.ctx.store.db.selectFrom('inquiries').select(['triage_explanations', 'masked_text']).where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(gone).toEqual({ triage_explanations: [], masked_text: '' });
  });
});
