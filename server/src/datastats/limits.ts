// Sizes the datastats module accepts, shared with the REST DTOs (no imports: DTO modules may use it).

/** The largest data set that may be registered (the coordinator keeps 16 bytes per example of it in memory). */
export const MAX_REGISTERED_EXAMPLES = 1 << 25;
