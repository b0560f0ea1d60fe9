// Sizes the datastats module accepts, shared with the REST DTOs (no imports: DTO modules may use it).

/**
 * The largest data set that may be registered: 2^23 examples. A removal set travels inline in a JobAssignment and a
 * RemovalSetReply, at worst as a bitmap of size / 8 bytes, which must stay well inside one 4 MiB frame (1 MiB here);
 * the aggregate keeps 16 bytes per example in memory (128 MiB here).
 */
export const MAX_REGISTERED_EXAMPLES = 1 << 23;
