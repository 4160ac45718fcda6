import { it } from 'vitest';
import { renderPost } from '../../src/render/render.js';
import { CENTER } from './items.js';
it('prof', () => {
  const unit = `요약 👨‍👩‍👧‍👦 ${'일자리'.normalize('NFD')} ᄒᆞᆫ글 🇰🇷 `;
  const huge = `요약시작 ${unit.repeat(3000)}`;
  for (const ch of ['discord', 'facebook', 'youtube'] as const) {
    const t = performance.now();
    renderPost({ kind: 'job', item: { title: 'x', summary: huge }, state: 'open', center: CENTER }, ch);
    console.log(ch, performance.now() - t);
  }
});
