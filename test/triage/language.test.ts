import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/triage/language.js';

describe('detectLanguage', () => {
  it.each([
    ['실업급여 신청은 어디서 하나요?', 'ko'],
    ['PLC 과정 QC 연구보조 IT 교육 있나요', 'ko'],
    ['실업급여'.normalize('NFD'), 'ko'],
    ['Hello, can I get help finding a job?', 'en'],
    ['Xin chào, tôi muốn học lái xe nâng.', 'vi'],
    ['我想找工作，请问怎么申请？', 'zh'],
    ['仕事を探しています。', 'ja'],
    ['ฉันกำลังหางานทำ', 'th'],
    ['Я ищу работу', 'ru'],
    ['Би ажил хайж байна. Өдөр бүр', 'mn'],
    ['Saya mau kerja di pabrik, bisa?', 'id'],
    ['Salamat po, naghahanap ako ng trabaho', 'tl'],
    ['Men ish qidiryapman, qanday yordam kerak', 'uz'],
    ['म काम खोज्दैछु', 'ne'],
    ['ខ្ញុំកំពុងរកការងារ', 'km'],
    ['ကျွန်တော် အလုပ်ရှာနေပါတယ်', 'my'],
  ])('%s → %s', (text, language) => {
    const guess = detectLanguage(text);
    expect(guess.language).toBe(language);
    expect(guess.confidence).toBeGreaterThan(0);
  });

  it.each([
    ['@everyone 무료 나눔 https://example.com/claim', 'ko'],
    ['tim viec lam o wanju, co cong ty nao khong', 'vi'],
    ['Мен иш қидиряпман', 'uz'],
    ['Earn money from home now, click here', 'en'],
  ])('reads %s as %s: links and mentions do not count, unaccented Vietnamese and Uzbek Cyrillic do', (text, language) => {
    expect(detectLanguage(text).language).toBe(language);
  });

  it.each([[''], ['🙏🙏'], ['12345 !!!'], ['zzzz qqqq']])('says und for %j rather than guessing', (text) => {
    expect(detectLanguage(text).language).toBe('und');
  });
});
