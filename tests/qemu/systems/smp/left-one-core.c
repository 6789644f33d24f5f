/* left of smp-one-core.system: left.c giving up after a spin limit, so
 * that the handshake's failure on one core is reported, not waited out. */
#define LOCKSTEP_SPIN_LIMIT LOCKSTEP_ONE_CORE_SPIN_LIMIT
#include "left.c"
