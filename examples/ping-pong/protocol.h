/*
 * The protocol between client and server, shared by both PDs' sources.
 *
 * A protected procedure call carries a label (the operation) and message
 * registers (the arguments); the reply's label is a status and its message
 * registers are the results. Labels and register meanings are a private
 * agreement between the two PDs: Microkit only copies them.
 */
#pragma once

/* Channel ids: each end names the same channel with its own id. */
#define CLIENT_TO_SERVER 1 /* the client's id for the channel */
#define SERVER_TO_CLIENT 2 /* the server's id for the channel */

/* Request labels. */
#define OP_ADD 1 /* mr0 + mr1 -> reply mr0 */
#define OP_MUL 2 /* mr0 * mr1 -> reply mr0 */

/* Reply labels. */
#define STATUS_OK 0
#define STATUS_BAD_OP 1

/* How many ping-pong rounds the client runs before it stops. */
#define ROUNDS 3
