/** The commit of the last released wire contract: the first non-comment line of proto/RELEASED. */
export function releasedContractCommit(): string;
