// What the page knows about the device right now (visibility, battery, compute pressure), as the worker's heartbeats
// report it. The page reads the browser APIs (most exist only on the page) and posts a snapshot on every change.
export interface PageConditions {
  readonly visibility: 'visible' | 'hidden';
  /** 0..1, or -1 where the Battery Status API is missing. */
  readonly batteryLevel: number;
  readonly charging: boolean;
  /** The Compute Pressure API's CPU state ("nominal" … "critical"); empty where it is missing. */
  readonly thermalState: string;
}

export const UNKNOWN_CONDITIONS: PageConditions = { visibility: 'visible', batteryLevel: -1, charging: false, thermalState: '' };
