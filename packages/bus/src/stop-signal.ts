/**
 * The signal a long-running role stops on: the caller's, or else one that SIGINT
 * and SIGTERM abort. `detach` removes the process handlers again.
 */
export const stopSignal = (given?: AbortSignal): { signal: AbortSignal; detach: () => void } => {
  if (given !== undefined) return { signal: given, detach: () => undefined };
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    detach: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
};
