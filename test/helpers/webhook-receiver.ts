// A webhook receiver for tests: a real node:http server on 127.0.0.1 that records every request
// (headers and raw body) and answers with the status the test scripts, per request.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KurirEvent } from '../../workflows/event-types.js';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  event: KurirEvent;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** The status to answer for this request (default 200). */
  answer: (event: KurirEvent, attempt: number) => number;
  /** Requests whose event belongs to the message (or OTP/campaign) id. */
  about(subject: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const attempts = new Map<string, number>();
  const receiver: Receiver = {
    url: '',
    requests: [],
    answer: () => 200,
    about: (subject) =>
      receiver.requests.filter(
        (r) => r.event.messageId === subject || r.event.otpId === subject || r.event.campaignId === subject,
      ),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(body) as KurirEvent;
      const n = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, n);
      const status = receiver.answer(event, n);
      receiver.requests.push({ headers: req.headers, body, status, event });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
