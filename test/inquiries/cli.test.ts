import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { userWithToken } from '../helpers/users.js';
import { startApp, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

const SUBCOMMANDS = ['list', 'show', 'add', 'claim', 'assign', 'reply', 'note', 'close', 'reopen', 'spam', 'reveal', 'canned'];

describe('ontact inquiries', () => {
  it('explains every subcommand', async () => {
    const top = await runCli(['inquiries', '--help']);
    expect(top.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(top.stdout).toContain(name);
    const report = await runCli(['report', '--help']);
    expect(report.stdout).toContain('--month <YYYY-MM>');
  });

  it('lets a counselor log a phone call, work it (claim, note, reply, close, reopen) and see it all in show', async () => {
    const a = await startApp({ queues: ['triage', 'outbound-facebook', 'outbound-youtube', 'outbound-discord'] });
    apps.push(a);
    // The counselor signs in with their token: who acts is the token's user, not a flag.
    const token = await userWithToken(a.ctx, 'lee.seojun', 'counselor', '이서준');
    const cli = (...args: string[]) => runCli(['inquiries', ...args], { ...a.env, ONTACT_TOKEN: token });

    const added = await cli('add', '--channel', 'phone', '--name', '박철수', '--text', '국비지원 교육 과정 문의드립니다. 제 번호는 010-5555-1234', '--at', '2026-11-26 10:30');
    expect(added.code).toBe(0);
    const id = Number(/inquiry #(\d+) logged \(personal data masked: phone\); queued for triage/.exec(added.stdout)?.[1]);
    await waitForStatus(a, id, ['open']);

    const steps = [
      await cli('claim', String(id)),
      await cli('note', String(id), '--text', '내일 다시 전화하기로 함'),
      await cli('reply', String(id), '--text', '훈련 과정 목록을 안내했습니다.'),
      await cli('close', String(id)),
    ];
    expect(steps.map((s) => s.code)).toEqual([0, 0, 0, 0]);
    expect(steps[0]?.stdout).toBe(`inquiry #${id} is yours (취업지원팀)\n`);
    expect(steps[2]?.stdout).toContain('recorded as given in person');
    expect(steps[3]?.stdout).toBe(`inquiry #${id} is closed\n`);
    expect((await cli('reopen', String(id))).stdout).toBe(`inquiry #${id} is answered\n`);

    const shown = await cli('show', String(id));
    expect(shown.stdout).toContain(`Inquiry #${id}  [answered · normal 보통 · 취업지원팀 / 이서준(lee.seojun)]`);
    expect(shown.stdout).toContain('received 2026-11-26 10:30 KST');
    expect(shown.stdout).toContain('국비지원 교육 과정 문의드립니다. 제 번호는 010-****-1234');
    expect(shown.stdout).not.toContain('5555');
    expect(shown.stdout).toContain('personal data: phone masked; original not stored (no data key)');
    expect(shown.stdout).toContain('내일 다시 전화하기로 함');
    // The history in words and KST, with names instead of codes.
    expect(shown.stdout).toContain('history (KST):\n');
    expect(shown.stdout).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d KST {2}전화·방문 문의를 기록함 \(개인정보 가림 처리\) — 이서준$/m);
    expect(shown.stdout).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d KST {2}자동 분류: 직업훈련 · 보통 \(확신도 \d+%\) — 자동 분류$/m);
    for (const line of ['직접 맡음: 이서준 (취업지원팀)', '내부 메모 추가 — 이서준', '기록 (전화·방문으로 직접 답함) — 이서준', '종료 (답변 완료에서) — 이서준', '다시 엶 — 이서준']) expect(shown.stdout).toContain(line);
    expect(shown.stdout).not.toMatch(/inquiry\.(triaged|assigned|noted|closed)|counselor:lee\.seojun/);

    const [list, unknown, nobody] = await Promise.all([
      cli('list', '--status', 'answered', '--team', '취업지원팀'),
      cli('close', '99999'),
      runCli(['inquiries', 'claim', String(id)], a.env),
    ]);
    expect(list.stdout).toMatch(new RegExp(`^${id} +normal 보통 +answered +취업지원팀 +이서준\\(lee\\.seojun\\) +phone +2026-11-26 10:30 KST`, 'm'));

    const spam = await cli('spam', String(id));
    expect(spam.stdout).toBe(`inquiry #${id} is spam\n`);
    // An unknown id is a request naming something that does not exist: exit 2, as for posts.
    expect([unknown.code, unknown.stderr]).toEqual([2, 'ontact: there is no inquiry #99999\n']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no API token given');
  }, 120_000);
});
