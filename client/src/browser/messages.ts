// What the /agent/ page and its training worker say to each other (structured-clone messages).
import type { DeviceFacts } from '../../../protocol/src/index.js';
import type { TrainProgress } from '../engine/train/types.js';
import type { PageConditions } from './platform/conditions.js';

export type PageToWorker =
  | { readonly type: 'start'; readonly origin: string; readonly token?: string }
  | { readonly type: 'conditions'; readonly conditions: PageConditions };

export interface JobView {
  readonly jobId: string;
  readonly attempt: number;
  readonly model: string;
  readonly method: string;
  readonly dataset: string;
  readonly resumedFromStep?: number;
}

export type ProgressView = Pick<
  TrainProgress,
  'phase' | 'epoch' | 'step' | 'totalSteps' | 'loss' | 'trainAccuracy' | 'testAccuracy' | 'stepMsP50' | 'stepMsP90'
> & { readonly jobId: string };

export type WorkerToPage =
  | { readonly type: 'facts'; readonly facts: DeviceFacts }
  | { readonly type: 'enrollment'; readonly state: 'enrolling' | 'enrolled'; readonly deviceId?: string }
  | { readonly type: 'connection'; readonly state: 'connected' | 'disconnected' | 'unreachable'; readonly detail: string }
  | { readonly type: 'job-started'; readonly job: JobView }
  | { readonly type: 'progress'; readonly progress: ProgressView }
  | {
      readonly type: 'job-finished';
      readonly jobId: string;
      readonly outcome: string;
      readonly testAccuracy?: number;
      /** How the sparse layers computed ('sparse-kernels' or 'masked-dense'), and on how many kernel layers. */
      readonly compute?: string;
      readonly kernelLayers?: number;
      readonly error?: string;
    }
  | { readonly type: 'paused'; readonly paused: boolean }
  | { readonly type: 'warning'; readonly message: string }
  /** The agent stopped: `code` is the protocol's error code name when the coordinator refused it. */
  | { readonly type: 'fatal'; readonly message: string; readonly code: string };
