/*
 * The server's protocol. Requests: a label (the operation) and message
 * registers (the arguments). Replies: a status label and results.
 */
#pragma once

#define SERVER_CH 0 /* every client's id for its channel to the server */

#define OP_DEPOSIT 1 /* mr0 = amount -> reply mr0 = caller's balance, mr1 = total of all */
#define OP_REPORT 2  /* no arguments -> the server prints the caller's account */
/* A notification on SERVER_CH (no call) means "this client is done". */

#define STATUS_OK 0
#define STATUS_BAD_REQUEST 1
