/* Prints every value the tool writes through setvar. */
#include <microkit.h>
#include <stdio.h>

uintptr_t buf_vaddr, buf_size, data_vaddr, data_size, data_prefill_size;
uintptr_t ch_id = 99, irq_id = 99, child_id = 99, dev_paddr, buf_paddr;
uint32_t small_id = 77;

void init(void)
{
    printf("buf vaddr=%#lx size=%#lx paddr_nonzero=%d\n", (unsigned long)buf_vaddr,
           (unsigned long)buf_size, buf_paddr != 0);
    printf("data vaddr=%#lx size=%#lx prefill=%lu text=%.5s\n", (unsigned long)data_vaddr,
           (unsigned long)data_size, (unsigned long)data_prefill_size, (const char *)data_vaddr);
    printf("ids ch=%lu irq=%lu child=%lu small=%u dev=%#lx\n", (unsigned long)ch_id,
           (unsigned long)irq_id, (unsigned long)child_id, small_id, (unsigned long)dev_paddr);
}

void notified(microkit_channel ch) { (void)ch; }
