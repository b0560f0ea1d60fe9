// The REST throttler, for HTTP only. Nest applies global guards to gateway handlers too, and a socket frame has
// no request address, so the stock guard charged every device's every frame to one shared key: past its budget
// the whole fleet was refused at once. Device frames have their own per-device limits (DeviceChannelLimits).
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || super.shouldSkip(context);
  }
}
