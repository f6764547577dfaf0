// Prints the temporal CLI path, building it with Go first when it is not found (CI and fresh machines).
import { ensureTemporalBinary, temporalVersion } from './temporal.js';

const binary = await ensureTemporalBinary();
process.stdout.write(`${binary}: ${temporalVersion(binary)}\n`);
