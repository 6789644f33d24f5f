/* Granted nothing: the slot where "writer" holds COM1 is empty here, so the
 * kernel refuses a port write through it (a PD gains no authority that the
 * system file does not write down). */
#include <microkit.h>

#define COM1 0x3f8
#define WRITER_COM1_CPTR 463 /* MICROKIT_PD_BASE_USER_CAPS + slot 5 */

void init(void)
{
    seL4_Error err = seL4_X86_IOPort_Out8(WRITER_COM1_CPTR, COM1, 'x');
    microkit_dbg_puts(err == seL4_InvalidCapability ? "bystander: no port cap at 463: invalid capability\n"
                                                    : "bystander: a port write went through without a grant\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
