// Which of the money core's statements may commit without waiting for the disk, and why.

/**
 * Called in a hold's statement, this commits it without waiting for the disk (PostgreSQL's asynchronous
 * commit, for that transaction alone): the flush, a millisecond or more, would come before every
 * request's first byte. It is safe for a hold and for nothing that settles. The write-ahead log is one
 * sequence, so a hold can be lost only in a database crash (or a failover to a replica it had not
 * reached yet), and only with everything committed after it, and any later commit that waits for the
 * disk makes it durable — the settlement of its own request among them. A hold lost so takes its
 * reservation with it, consistently; its request then settles for nothing (settle() finds no active
 * hold): the operator's loss in a crash, never an overdraft or a double charge. A settlement, whose
 * charge and record the customer is shown, waits for the disk.
 */
export const ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)";
