// Loaded by path (DataConverter.failureConverterPath) when payloads are encrypted: failure messages
// and stack traces travel as an encoded payload, so the codec encrypts them too. A provider's error
// text can quote a phone number, and Temporal stores failure messages outside payloads (security
// review M7).
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
