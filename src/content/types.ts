/** What kind of thing a content item announces; templates are chosen by it. */
export type ContentKind = 'job' | 'training' | 'lecture' | 'notice';
export const CONTENT_KINDS: readonly ContentKind[] = ['job', 'training', 'lecture', 'notice'];

/**
 * A source's item after normalisation, before it is stored. All text is NFC, plain (no HTML),
 * and all instants are UTC `Date`s.
 */
export interface ContentItemDraft {
  kind: ContentKind;
  /** Stable within its source: wantedAuthNo; trprId+trprDegr+trainstCstId; guid, else link, else content hash. */
  sourceKey: string;
  title: string;
  /** Plain text, HTML stripped. */
  summary: string;
  link: string | null;
  organisation: string | null;
  place: string | null;
  /** Administrative region code where known (e.g. 52710 for 완주군). */
  region: string | null;
  /** Pay as display text (e.g. `월급 2,300,000원 ~ 2,800,000원`). */
  pay: string | null;
  /** When a lecture or course starts. */
  startsAt: Date | null;
  endsAt: Date | null;
  /** When the item closes (마감); null when open until filled. */
  deadlineAt: Date | null;
  /** The deadline as the source wrote it (e.g. `채용시까지`), for display. */
  deadlineText: string | null;
  /** When the source says it published or last modified the item. */
  publishedAt: Date | null;
  /** Source-specific display fields (e.g. 경력, 학력, 고용형태) for templates. */
  extra: Record<string, string>;
}
