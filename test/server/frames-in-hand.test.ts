// The lease sweep's view of a connection's frames in hand: a count and the start of the run of frames in hand.
import { describe, expect, it } from 'vitest';
import { resolveCoordinatorConfig } from '../../server/src/config/coordinator-config.js';
import { DeviceSocketRegistry } from '../../server/src/gateway/device-socket.registry.js';
import type { DeviceSocket, DeviceSocketData } from '../../server/src/gateway/socket.types.js';

function socketWith(data: DeviceSocketData): DeviceSocket {
  return { id: 'socket-1', data } as unknown as DeviceSocket;
}

describe('frames in hand', () => {
  const registry = new DeviceSocketRegistry(resolveCoordinatorConfig({ dataDir: '/nonexistent' }));

  it('should speak for a device only while a frame is in hand that arrived by the given time', () => {
    const data: DeviceSocketData = {};
    registry.bind('device-1', socketWith(data));
    expect(registry.handlesFrameReceivedBy('device-1', 1000)).toBe(false);

    Object.assign(data, { framesInHand: 2, inHandSince: 900 });
    expect(registry.handlesFrameReceivedBy('device-1', 1000)).toBe(true);
    expect(registry.handlesFrameReceivedBy('device-1', 899)).toBe(false);

    Object.assign(data, { framesInHand: 0 });
    expect(registry.handlesFrameReceivedBy('device-1', 1000)).toBe(false);
    expect(registry.handlesFrameReceivedBy('device-2', 1000)).toBe(false);
  });
});
