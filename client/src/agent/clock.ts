// The agent's time source is the shared Clock of protocol/ (the coordinator runs on the same port).
export { clockDate, realClock, sleepOn, type Clock, type TimerHandle, type TimerOptions } from '../../../protocol/src/index.js';
