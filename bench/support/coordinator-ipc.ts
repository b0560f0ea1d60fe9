// Messages between the coordinator benchmark and a coordinator it launched as a child process
// (bench/support/coordinator-launcher.ts).
import type { LoopDelay } from './loop-delay.js';

export interface LaunchSettings {
  readonly dataDir: string;
  readonly heartbeatIntervalMs: number;
  /** Uses of the enrollment token node 1 creates (every bench device enrolls with it). */
  readonly enrollmentUses: number;
  /** Multi-node settings, passed to startCoordinator as they are; absent for one SQLite node. */
  readonly cluster?: { readonly databaseUrl: string; readonly redisUrl: string; readonly nodeId: string };
  /** Time every SQLite statement (bench/support/sql-timing.ts) for the profile summaries. */
  readonly profile: boolean;
  /** Whether this node creates the operator API key and the enrollment token (node 1). */
  readonly createsCredentials: boolean;
}

export type LauncherRequest =
  | { readonly kind: 'memory' }
  | { readonly kind: 'heap-snapshot'; readonly file: string }
  | { readonly kind: 'profile-start' }
  | { readonly kind: 'profile-stop'; readonly file: string }
  | { readonly kind: 'loop-delay-reset' }
  | { readonly kind: 'loop-delay' }
  | { readonly kind: 'stop' };

export interface LauncherMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export type LauncherReply =
  | { readonly kind: 'ready'; readonly url: string; readonly apiKey?: string; readonly enrollmentToken?: string }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'memory'; readonly memory: LauncherMemory }
  | { readonly kind: 'heap-snapshot'; readonly file: string }
  | { readonly kind: 'profile-started' }
  | { readonly kind: 'profile-stopped'; readonly file: string }
  | { readonly kind: 'loop-delay-reset' }
  | { readonly kind: 'loop-delay'; readonly delay: LoopDelay };
