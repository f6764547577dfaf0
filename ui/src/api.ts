/// <reference lib="dom" />
// Calls to the kurir API with the operator's key (sessionStorage: gone when the tab closes, and
// never in a URL). A 401 signs the operator out.
const KEY = 'kurir.apiKey';

export const session = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (k: string) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;
export const setUnauthorizedHandler = (fn: () => void) => {
  onUnauthorized = fn;
};

export function authHeaders(key = session.get()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

export async function api<T>(path: string, init: RequestInit & { key?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  for (const [k, v] of Object.entries(authHeaders(init.key ?? session.get()))) headers.set(k, v);
  const res = await fetch(path, { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep text */
  }
  if (!res.ok) {
    if (res.status === 401 && !init.key) onUnauthorized();
    const msg =
      typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : `HTTP ${res.status}`;
    throw new ApiError(res.status, msg, body);
  }
  return body as T;
}

/** Downloads an authenticated file (the CSV export) without putting the key in a link. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`, undefined);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
