/* Direct hand-offs (docs/host-platform.md, "Direct hand-offs"): a client
 * calls and notifies a higher-priority server, mostly silently (hand-offs
 * the launcher does not see), and now and then the server does something
 * the launcher must see in the middle of such an entry: prints, notifies a
 * higher priority, queues a notify to a priority between the two, calls a
 * deeper server, takes a fault its parent handles, defers a notify. The
 * output must be the same with and without direct hand-offs. "spinclient"
 * calls a server that never returns: the watchdog must name the server. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>

#define SERVER 1 /* client <-> server, pp from the client */
#define URGENT 2 /* server -> urgent (priority above the server) */
#define MIDDLE 3 /* server -> middle (priority between client and server) */
#define DEEP 4   /* server -> deep, pp */
#define ROUNDS 60

static int is(const char *name) { return strcmp(microkit_name, name) == 0; }

static seL4_Word calls, pongs;

static void client_init(void)
{
    seL4_Word sum = 0;
    for (seL4_Word label = 0; label < 40; label++) {
        microkit_mr_set(0, label);
        microkit_mr_set(1, 1000);
        microkit_msginfo r = microkit_ppcall(SERVER, microkit_msginfo_new(label % 10, 2));
        sum += microkit_mr_get(0) + microkit_msginfo_get_label(r);
        if (label % 10 == 9) printf("client: after %lu calls sum=%lu\n", (unsigned long)label + 1, (unsigned long)sum);
    }
    microkit_notify(SERVER);
}

static microkit_msginfo server_protected(microkit_msginfo msginfo)
{
    seL4_Word what = microkit_msginfo_get_label(msginfo);
    seL4_Word a = microkit_mr_get(0), b = microkit_mr_get(1);
    calls++;
    if (what == 1) printf("server: call %lu prints\n", (unsigned long)calls);
    if (what == 2) microkit_notify(URGENT);
    if (what == 3) microkit_notify(MIDDLE);
    if (what == 4) {
        microkit_mr_set(0, a);
        microkit_ppcall(DEEP, microkit_msginfo_new(7, 1));
        a = microkit_mr_get(0);
    }
    if (what == 5) microkit_notify(SERVER); /* back to the client, queued */
    if (what == 6) microkit_pd_restart(9, 0); /* not its child: a fault its parent answers */
    if (what == 7) microkit_deferred_notify(URGENT);
    if (what == 99) for (;;) { } /* spinclient: never returns */
    microkit_mr_set(0, a + b + calls);
    return microkit_msginfo_new(what + 100, 1);
}

static void server_notified(void)
{
    pongs++;
    if (pongs % 10 == 3) printf("server: pong %lu prints\n", (unsigned long)pongs);
    if (pongs % 10 == 5) microkit_deferred_notify(URGENT);
    if (pongs % 10 == 7) {
        microkit_mr_set(0, pongs);
        microkit_ppcall(DEEP, microkit_msginfo_new(8, 1));
    }
    if (pongs % 10 == 8) microkit_notify(MIDDLE);
    microkit_notify(SERVER);
}

void init(void)
{
    printf("%s: init\n", microkit_name);
    if (is("client")) client_init();
    if (is("spinclient")) microkit_ppcall(SERVER, microkit_msginfo_new(99, 0));
}

void notified(microkit_channel ch)
{
    if (is("server")) {
        server_notified();
        return;
    }
    if (is("client")) {
        if (++pongs < ROUNDS) {
            microkit_notify(SERVER);
            return;
        }
        printf("client: %lu notify round trips\n", (unsigned long)pongs);
        return;
    }
    printf("%s: notified %u\n", microkit_name, ch);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    if (is("server")) return server_protected(msginfo);
    printf("%s: protected ch=%u label=%lu mr0=%lu\n", microkit_name, ch,
           (unsigned long)microkit_msginfo_get_label(msginfo), (unsigned long)microkit_mr_get(0));
    return microkit_msginfo_new(0, 1);
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply)
{
    printf("%s: fault child=%u label=%lu\n", microkit_name, child,
           (unsigned long)microkit_msginfo_get_label(msginfo));
    *reply = microkit_msginfo_new(0, 0);
    return seL4_True;
}
