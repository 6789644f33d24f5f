/* right (cpu 1): its side of the lockstep handshake (lockstep.h), silent,
 * when left says start. */
#include "lockstep.h"

void init(void)
{
}

void notified(microkit_channel ch)
{
    (void)ch;
    for (uint64_t k = 1; k <= LOCKSTEP_ROUNDS; k++) {
        while (lockstep_read(&lockstep->ping) != k) {
        }
        lockstep_write(&lockstep->pong, k);
    }
}
