/* The tour's channel ids (tour.system) and the worker's child id. */
#pragma once

#define CHANNEL_SERVER 1  /* client <-> server: protected procedure calls */
#define CHANNEL_WORKER 2  /* client <-> worker: notifications */
#define WORKER_CHILD 1    /* the worker's id as the supervisor's child */
