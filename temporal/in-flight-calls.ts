// Counts a Temporal client Connection's calls from start to final status, so it can be closed
// only once none is in flight. Why: the SDK's gRPC retry interceptor re-issues a failed call from
// a timer, and a call queued when the channel closes fails as retryable; the retry then throws
// "Channel has been shut down" from that timer, an uncaught exception (a test file failed that
// way after all its tests had passed). Put `interceptor` before the retry interceptor, so one
// count spans every retry of a call.
import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

export class InFlightCalls {
  private count = 0;
  private idleWaiters: Array<() => void> = [];

  readonly interceptor: Interceptor = (options, nextCall) => {
    this.count++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (--this.count === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
    const requester = new RequesterBuilder()
      .withStart((metadata, listener, next) => {
        next(
          metadata,
          new ListenerBuilder()
            .withOnReceiveStatus((status, nextStatus) => {
              nextStatus(status);
              finish();
            })
            .build(),
        );
      })
      .build();
    return new InterceptingCall(nextCall(options), requester);
  };

  /** The interceptors for Connection options: this counter, then the SDK's default retries. */
  interceptors(): Interceptor[] {
    return [this.interceptor, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())];
  }

  /** Resolves when no call is in flight, or after `timeoutMs` (a hung call must not block a shutdown). */
  async idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
