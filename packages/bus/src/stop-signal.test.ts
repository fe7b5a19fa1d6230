import { stopSignal } from './stop-signal.js';

describe('stopSignal', () => {
  it("uses the caller's signal as it is", () => {
    const controller = new AbortController();
    expect(stopSignal(controller.signal).signal).toBe(controller.signal);
  });

  it('aborts on SIGTERM when none is given, and detach removes its handlers', () => {
    const before = process.listenerCount('SIGTERM');
    const { signal, detach } = stopSignal();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM');
    expect(signal.aborted).toBe(true);
    detach();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
