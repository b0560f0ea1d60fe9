// Let pending I/O (socket messages, abort signals, timers) run between training steps. Node has setImmediate;
// browsers get a MessageChannel message, which (unlike a nested setTimeout(0)) is not clamped to 4 ms.
type Immediate = (callback: () => void) => unknown;

let channel: { port: MessagePort; waiting: Array<() => void> } | undefined;

export function yieldToEventLoop(): Promise<void> {
  const setImmediateFn = (globalThis as { setImmediate?: Immediate }).setImmediate;
  return new Promise((resolve) => {
    if (setImmediateFn !== undefined) setImmediateFn(resolve);
    else if (typeof MessageChannel !== 'undefined') postYield(resolve);
    else setTimeout(resolve, 0);
  });
}

function postYield(resolve: () => void): void {
  if (channel === undefined) {
    const pair = new MessageChannel();
    const waiting: Array<() => void> = [];
    pair.port1.onmessage = () => waiting.shift()?.();
    channel = { port: pair.port2, waiting };
  }
  channel.waiting.push(resolve);
  channel.port.postMessage(null);
}
