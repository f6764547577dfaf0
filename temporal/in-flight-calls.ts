// Counts a Temporal client Connection's calls from start to final status, so it can be closed
// only once none is in flight. Why: the SDK's gRPC retry interceptor re-issues a failed call from
// a timer, and a call queued when the channel closes fails as retryable; the retry then throws
// "Channel has been shut down" from that timer, an uncaught exception (a test file failed that
// way after all its tests had passed). Put `interceptor` before the retry interceptor, so one
// count spans every retry of a call.
import {
  InterceptingCall,
  ListenerBuilder,
  Metadata,
  RequesterBuilder,
  status,
  type Interceptor,
  type InterceptingListener,
} from '@grpc/grpc-js';

/** grpc-js's call interface (not exported by name): what an InterceptingCall wraps. */
type NextInterceptingCall = ConstructorParameters<typeof InterceptingCall>[0];
type MessageContext = Parameters<NextInterceptingCall['sendMessageWithContext']>[0];
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

  /**
   * The interceptors for Connection options: this counter, then the SDK's default retries, then
   * the closed-channel guard (a call the retry re-issues after close ends CANCELLED instead).
   */
  interceptors(): Interceptor[] {
    return [this.interceptor, makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), closedChannelGuard];
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

/**
 * A call on a channel that is already shut down: it ends at once with CANCELLED (which the retry
 * interceptor does not retry), so the caller's promise rejects instead of a timer throwing.
 */
class ClosedChannelCall implements NextInterceptingCall {
  cancelWithStatus(): void {}
  getPeer(): string {
    return 'closed';
  }
  start(_metadata: Metadata, listener?: Partial<InterceptingListener>): void {
    setImmediate(() => {
      // No message, then the status: the SDK's retry interceptor expects to have seen a message
      // step before it passes a final status on (a unary call ignores a null message on error).
      listener?.onReceiveMessage?.(null);
      listener?.onReceiveStatus?.({
        code: status.CANCELLED,
        details: 'the Temporal connection is closed',
        metadata: new Metadata(),
      });
    });
  }
  sendMessageWithContext(context: MessageContext): void {
    context.callback?.();
  }
  sendMessage(): void {}
  startRead(): void {}
  halfClose(): void {}
  getAuthContext(): null {
    return null;
  }
}

/**
 * The innermost interceptor. When stop() had to close the connection with a call still in flight
 * (one that outlived its wait), the retry interceptor re-issues that call from a timer, and grpc-js
 * throws "Channel has been shut down" there: an uncaught exception (CI saw one in the dashboard
 * test). Here that throw becomes a call that ends CANCELLED.
 */
export const closedChannelGuard: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (err) {
    if (err instanceof Error && /Channel has been shut down/.test(err.message))
      return new InterceptingCall(new ClosedChannelCall());
    throw err;
  }
};
