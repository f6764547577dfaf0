// A streaming splitter for a JSON array of objects: yields each element's text and the line it
// starts on, holding one element at a time (a 100,000-row file never sits in memory at once).
export interface JsonElement {
  line: number;
  text: string;
}

export class JsonArrayError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export async function* jsonArrayElements(source: AsyncIterable<string | Buffer>): AsyncGenerator<JsonElement> {
  let line = 1;
  let state: 'before' | 'between' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let startLine = 1;
  const decoder = new TextDecoder();
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (const ch of text) {
      if (ch === '\n') line++;
      if (depth > 0) {
        current += ch;
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) {
            yield { line: startLine, text: current };
            current = '';
          }
        }
        continue;
      }
      if (/\s/.test(ch) || ch === '\uFEFF') continue;
      if (state === 'before') {
        if (ch !== '[') throw new JsonArrayError('the file must be a JSON array of objects', line);
        state = 'between';
      } else if (state === 'between') {
        if (ch === ',') continue;
        if (ch === ']') {
          state = 'after';
          continue;
        }
        if (ch !== '{') throw new JsonArrayError(`expected an object, found "${ch}"`, line);
        depth = 1;
        current = ch;
        startLine = line;
      } else {
        throw new JsonArrayError('unexpected text after the array', line);
      }
    }
  }
  if (state !== 'after' || depth > 0) throw new JsonArrayError('the JSON array is not closed', line);
}
