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
  /**
   * Facts a post shows beyond the fields above, keyed by the Korean label a citizen reads
   * (업종, 근무형태, 고용형태, 경력, 학력 …). Only what a post should show: no codes, no
   * bookkeeping, nothing already in another field. The store does not keep key order (jsonb),
   * so posts list them in `EXTRA_LABEL_ORDER`.
   */
  extra: Record<string, string>;
}

/** The order posts list `extra` facts in; labels not listed follow, in the order given. */
export const EXTRA_LABEL_ORDER: readonly string[] = [
  '업종', '근무형태', '고용형태', '경력', '학력',
  '훈련대상', '모집인원', '수료 후 취업률', '훈련기관 전화',
];
