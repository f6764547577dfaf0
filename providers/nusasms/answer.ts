// One reader for every NusaSMS answer, whatever `output` produced it: XML (the default), JSON
// `{"results":[…]}`, or a bare value. The records are then checked with the contract schemas.
import { looksLikeXml, readFlatXml } from './xml.js';

export type AnswerRecord = Record<string, unknown>;

function isRecord(v: unknown): v is AnswerRecord {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The result records of an answer body; `[]` when it holds none. A bare value becomes `{ value }`. */
export function answerRecords(text: string): AnswerRecord[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (looksLikeXml(trimmed)) return readFlatXml(trimmed);
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return [{ value: trimmed }];
  }
  if (Array.isArray(json)) return json.filter(isRecord);
  if (isRecord(json)) {
    const results = json.results;
    if (Array.isArray(results)) return results.filter(isRecord);
    if (isRecord(results)) return [results];
    return [json];
  }
  return [{ value: String(json) }];
}
