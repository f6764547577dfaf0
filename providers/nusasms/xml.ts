// A tiny tolerant reader for NusaSMS's flat XML answers (no XML dependency in the project):
//   <results><result><status>0</status><messageid>…</messageid><destination>…</destination></result></results>
// Each <result> becomes one record of its leaf elements. Whitespace, an XML declaration,
// comments, CDATA, attributes, self-closing and empty elements are all accepted.

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(value: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(value);
  if (cdata) return cdata[1] ?? '';
  return value.trim().replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** The leaf elements (no child elements inside) of a fragment, as name → text. Later duplicates lose. */
function leaves(fragment: string): Record<string, string> {
  const record: Record<string, string> = {};
  const element = /<([A-Za-z_][\w.-]*)\b[^>]*?(?:\/>|>((?:(?!<\1\b)[\s\S])*?)<\/\1\s*>)/g;
  for (const m of fragment.matchAll(element)) {
    const name = m[1];
    const inner = m[2] ?? '';
    if (!name || name in record) continue;
    // An element holding other elements is a container: descend into it instead.
    if (/<[A-Za-z_]/.test(inner.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) {
      for (const [k, v] of Object.entries(leaves(inner))) if (!(k in record)) record[k] = v;
      continue;
    }
    record[name] = decode(inner);
  }
  return record;
}

/** True when a body looks like XML rather than JSON or plain text. */
export function looksLikeXml(text: string): boolean {
  return text.trimStart().startsWith('<');
}

/**
 * The records of a flat XML document: one per `<result>` element, or, when there is none, the
 * document's leaf elements as a single record (e.g. a bare `<credits>100</credits>`).
 */
export function readFlatXml(xml: string): Array<Record<string, string>> {
  const body = xml.replace(/<\?xml[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const blocks = [...body.matchAll(/<result\b[^>]*>([\s\S]*?)<\/result\s*>/gi)].map((m) => m[1] ?? '');
  if (blocks.length > 0) return blocks.map(leaves);
  const single = leaves(body);
  return Object.keys(single).length > 0 ? [single] : [];
}
