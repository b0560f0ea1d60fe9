// Forgetting statistics per example (MEST data-efficient training) and the sorted-importance exchange formats.
export {
  ForgettingTracker,
  type ForgettingCountOptions,
  type ForgettingCounts,
  type ForgettingSnapshot,
  type RemovalOptions,
} from './tracker.js';
export {
  SORTED_IMPORTANCE_FORMAT,
  SortedImportanceFormatError,
  decodeSortedImportance,
  encodeSortedImportance,
  fromSortedImportanceJson,
  removalSlice,
  toSortedImportanceJson,
  validateSortedImportance,
  type SortedImportance,
  type SortedImportanceJson,
} from './sorted-importance.js';
