// How every kurir workflow bundle is made (the worker's own bundling at start, `npm run build`'s
// prebuilt bundle and the tests' shared bundle): one place, so they run the same code.
import type { BundleOptions } from '@temporalio/worker';

type WebpackConfigHook = NonNullable<BundleOptions['webpackConfigHook']>;
type WebpackConfiguration = Parameters<WebpackConfigHook>[0];

/**
 * Frames in a stack trace made inside workflow code (V8's default is 10). The SDK's promise hook
 * captures and source-maps a stack for every promise a workflow creates (for the stack-trace
 * query), and a campaign creates many per recipient: at 10 frames this was 40 % of the worker's
 * time to replay a 4,300-event campaign run (3.9 s, against 2.3 s at 2 frames; see
 * docs/pacing-and-performance.md). Two frames name where an error was made and the call before
 * it; an error made through a helper (`invalidInput`) shows the helper's frames, and its message.
 */
export const WORKFLOW_STACK_TRACE_LIMIT = 2;

type WebpackPlugin = NonNullable<WebpackConfiguration['plugins']>[number];
/** webpack's compiler, as the SDK's webpack types name it (webpack is the SDK's dependency, not ours). */
type WebpackCompiler = ThisParameterType<Extract<WebpackPlugin, (...args: never[]) => void>>;

// The limit is set by the bundle's first line: that script runs when the sandbox is made, before
// the SDK freezes its globals (Error among them), which a workflow module could not do later.
const stackTraceLimitBanner = {
  apply(compiler: WebpackCompiler): void {
    new compiler.webpack.BannerPlugin({
      banner: `Error.stackTraceLimit = ${WORKFLOW_STACK_TRACE_LIMIT};`,
      raw: true,
      entryOnly: true,
    }).apply(compiler);
  },
};

export const workflowWebpackConfigHook: WebpackConfigHook = (config: WebpackConfiguration) => ({
  ...config,
  plugins: [...(config.plugins ?? []), stackTraceLimitBanner],
});
