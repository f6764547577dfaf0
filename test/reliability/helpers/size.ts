// Reliability tests run reduced under `npm test` (CI budget) and full size under
// `npm run test:reliability` (RELIABILITY_SIZE=full).
export const FULL_SIZE = process.env.RELIABILITY_SIZE === 'full';

/** The reduced figure for CI, or the full one the issue asks for. */
export function size(reduced: number, full: number): number {
  return FULL_SIZE ? full : reduced;
}
