/**
 * The id of one notice: `<subject key>/<customer>/<kind>/<version>`, the unit the ledger sends exactly
 * once. It travels in every customer-notice message and comes back in every delivery receipt (through
 * SES message tags, the SMS context, our own events), so it parses back into its parts.
 */
export interface NoticeKey {
  subjectKey: string;
  customerId: string;
  kind: string;
  version: number;
}

export const noticeId = (n: NoticeKey): string => `${n.subjectKey}/${n.customerId}/${n.kind}/${n.version}`;

// Subject and customer ids follow the node id pattern (no `/`), so the four parts split unambiguously.
const NOTICE_ID = /^((?:change|incident)#[A-Za-z0-9._:-]{1,128})\/([A-Za-z0-9._:-]{1,128})\/([a-z-]{1,40})\/(-?\d{1,16})$/;

/** The parts of a noticeId; undefined when the text is not one. */
export const parseNoticeId = (id: string): NoticeKey | undefined => {
  const m = NOTICE_ID.exec(id);
  return m ? { subjectKey: m[1], customerId: m[2], kind: m[3], version: Number(m[4]) } : undefined;
};
