// The device credential on HTTP (dataset shards): the same check the socket handshake makes (DeviceService
// authenticate), answered with 401/403 instead of a protocol refusal.
import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { DEVICE_CREDENTIAL_HEADER, DEVICE_ID_HEADER, ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { DeviceService } from '../devices/device.service.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

@Injectable()
export class DeviceHttpAuth {
  constructor(private readonly devices: DeviceService) {}

  /** Resolves with the device id, or throws 401 (missing or wrong credential) / 403 (revoked device). */
  async authenticate(headers: Headers): Promise<string> {
    const deviceId = single(headers[DEVICE_ID_HEADER]);
    const credential = single(headers[DEVICE_CREDENTIAL_HEADER]);
    if (!deviceId || !credential) {
      throw new UnauthorizedException(`a device credential is required (${DEVICE_ID_HEADER} and ${DEVICE_CREDENTIAL_HEADER} headers)`);
    }
    try {
      await this.devices.authenticate(deviceId, credential);
    } catch (error) {
      if (!(error instanceof ProtocolFault)) throw error;
      if (error.code === ErrorCode.ERROR_CODE_DEVICE_REVOKED) throw new ForbiddenException(error.message);
      throw new UnauthorizedException(error.message);
    }
    return deviceId;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
