/*
 * The channel and the <cspace> slots of cap-sharing.system, shared by both
 * programs so the numbers live in one place.
 */
#pragma once

#define WORKER_CHANNEL 0      /* controller's end; the worker's is also 0 */
#define CONTROLLER_CHANNEL 0

#define SLOT_WORKER_TCB 1     /* <cap_tcb slot="1" pd="worker"/> */
#define SLOT_WORKER_SC 2      /* <cap_sc slot="2" pd="worker"/> */
#define SLOT_CONTROLLER_TCB 3 /* <cap_tcb slot="3" pd="controller"/> */

#define WORKER_PRIORITY 50
#define WORKER_LOWERED_PRIORITY 30 /* below the controller's 40 */
