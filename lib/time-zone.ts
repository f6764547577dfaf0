// Whether a string names an IANA time zone this runtime knows. Pure: the campaign schema (and so
// the SDK) and the server's row import both use it, without loading the import's database code.
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
