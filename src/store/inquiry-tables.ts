/** The inquiry tables (migration 0003_inquiries). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InquiryTables {}
