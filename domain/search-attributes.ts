// Search attributes kurir sets on its workflows (registered by the worker at start, and passed
// to the dev server by `npm start` and the test harness).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RECIPIENT_HASH = defineSearchAttributeKey('KurirRecipientHash', SearchAttributeType.KEYWORD);
export const REFERENCE = defineSearchAttributeKey('KurirReference', SearchAttributeType.KEYWORD);
export const OUTCOME = defineSearchAttributeKey('KurirOutcome', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = {
  KurirRecipientHash: 'Keyword',
  KurirReference: 'Keyword',
  KurirOutcome: 'Keyword',
} as const;
