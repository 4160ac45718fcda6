/**
 * What a platform tells the renderer: which template file it reads, how that file becomes the
 * parts it renders, how a view becomes its payload within its limits, how a finished payload is
 * checked, how values are escaped, and how staff see a preview. Each platform's spec lives in
 * src/channels/<name>/render.ts; the renderer (render.ts) iterates the registry's specs.
 */
import type { LimitViolation } from './limits.js';
import type { ChannelEscaper } from './sanitize.js';
import type { CompiledTemplate } from './template.js';
import type { Fitter, ViewSource } from './view.js';

export interface RenderSpec<P extends { channel: string } = { channel: string }, T = unknown> {
  readonly channel: P['channel'];
  /** The file under `templates/<kind>/` (e.g. `facebook.txt`). */
  readonly templateFile: string;
  /**
   * The template file as the parts this platform renders. `compile` compiles one part and checks
   * every field it names, so a typo stops start-up; throw TemplateError for anything else wrong.
   */
  load(text: string, path: string, compile: (source: string, name: string) => CompiledTemplate): T;
  /** The payload from the view, each part fitted to its limit by `fitter`. */
  render(template: T, fitter: Fitter, source: ViewSource): P;
  /** Every limit the platform enforces, plus our own rules (no pings, no control characters). */
  validate(payload: P): LimitViolation[];
  /** How a substituted value is escaped in this platform's text. */
  readonly escaper: ChannelEscaper;
  /** The limits in words, for staff and the channel's description ("content ≤ 2,000 characters"). */
  readonly limits: readonly string[];
  /** The payload as the platform shows it, with each part's length against its limit (`ontact render`). */
  preview(payload: P): string;
}
