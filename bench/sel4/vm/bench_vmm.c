/* bench_vmm.c: the VM benchmark's VMM (run_vm_bench.sh). In init() it first
 * measures a native PPC to ppc_server (the same run's baseline), then
 * boots guest.S with the VMM library and reports what the guest measured
 * through the bench device at 0x0a000000 (guest.S lists its registers). */
#include <microkit.h>
#include <microkit_vmm.h>

#include "../pds/bench.h"

#define GUEST_RAM_GPA 0x40000000ul
#define GUEST_RAM_SIZE 0x1000000ul
#define BENCH_DEVICE_GPA 0x0a000000ul
#define BENCH_SPI 40
#define SERVER_CHANNEL 0
#define GUEST_ROUNDS 1000u
#define TICK_INSTRUCTIONS 16u /* CNTFRQ 62.5 MHz under -icount shift=0 */

uintptr_t guest_ram_vaddr;
extern const char guest_kernel[], guest_kernel_end[];
extern const char guest_dtb[], guest_dtb_end[];

static microkit_vmm vmm;
static uint64_t baseline_ticks;

/* Instructions per round x100, from guest counter ticks for GUEST_ROUNDS rounds. */
static void report_guest(const char *key, uint64_t ticks)
{
    bench_report(key, ticks * TICK_INSTRUCTIONS * 100u / GUEST_ROUNDS);
}

static uint64_t device_read(microkit_vmm *v, void *ctx, unsigned vcpu, uint64_t offset, unsigned size)
{
    return 0;
}

static void device_write(microkit_vmm *v, void *ctx, unsigned vcpu, uint64_t offset, unsigned size, uint64_t value)
{
    switch (offset) {
    case 0x08: microkit_vmm_raise_irq(v, vcpu, BENCH_SPI); break;
    case 0x10: report_guest("vm_mmio_read_x100", value - baseline_ticks); break;
    case 0x18: report_guest("vm_irq_roundtrip_x100", value - baseline_ticks); break;
    case 0x20: baseline_ticks = value; report_guest("vm_loop_x100", value); break;
    case 0x28:
        bench_report("vm_exits", v->exits);
        bench_puts("bench: vm done\n");
        break;
    default: break;
    }
}

static void measure_native_ppc(void)
{
    for (unsigned i = 0; i < BENCH_WARMUP; i++) {
        microkit_ppcall(SERVER_CHANNEL, microkit_msginfo_new(0, 0));
    }
    uint64_t t0 = bench_ticks();
    for (unsigned i = 0; i < BENCH_ROUNDS; i++) {
        microkit_ppcall(SERVER_CHANNEL, microkit_msginfo_new(0, 0));
    }
    uint64_t t1 = bench_ticks();
    bench_report("native_ppc_x100", bench_per_round_x100(t0, t1, BENCH_ROUNDS));
}

void init(void)
{
    measure_native_ppc();
    microkit_vmm_config config = {
        .ram_vaddr = guest_ram_vaddr, .ram_gpa = GUEST_RAM_GPA, .ram_size = GUEST_RAM_SIZE,
        .num_vcpus = 1, .gicd_gpa = 0x08000000, .num_list_registers = 4,
    };
    microkit_vmm_init(&vmm, &config);
    microkit_vmm_device device = { BENCH_DEVICE_GPA, 0x1000, 0, device_read, device_write };
    microkit_vmm_add_device(&vmm, &device);
    if (microkit_vmm_load_linux(&vmm, guest_kernel, guest_kernel_end - guest_kernel, guest_dtb,
                                guest_dtb_end - guest_dtb, 0, 0) != 0) {
        return;
    }
    microkit_vmm_start(&vmm);
}

void notified(microkit_channel ch)
{
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply)
{
    return microkit_vmm_fault(&vmm, child, msginfo, reply);
}
