/* microkit_vmm.h: a library for writing a VMM PD on seL4 (AArch64, GICv2),
 * shipped in the SDK as libmicrokit_vmm.a (docs/virtual-machines.md).
 *
 * A VMM PD owns one <virtual_machine>: it keeps a `microkit_vmm` (static
 * storage; the library allocates nothing), loads a Linux Image, a DTB and
 * an initrd into guest RAM (an MR mapped into the VMM and the guest), starts
 * vCPU 0, and passes its fault() and notified() to the library, which
 * emulates PSCI, the GIC distributor and MMIO devices, injects virtual
 * IRQs and acknowledges what the guest has finished with. Only the calls
 * and fault layout of the official microkit.h are used, plus libsel4 on the
 * caps microkit.h names (BASE_VM_TCB_CAP, BASE_VCPU_CAP). One VM per VMM;
 * vCPU i is the VM's <vcpu id="i">, its guest MPIDR.Aff0 is i. */
#ifndef MICROKIT_VMM_H
#define MICROKIT_VMM_H

#include <microkit.h>

#include "microkit_vmm_parts.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICROKIT_VMM_MAX_VCPUS 8
#define MICROKIT_VMM_MAX_DEVICES 8
#define MICROKIT_VMM_MAX_IRQ_HOOKS 16

typedef struct microkit_vmm microkit_vmm;

/* An emulated MMIO device: guest loads and stores in [base, base + size)
 * that fault (the range is not mapped into the guest) land here. */
typedef struct microkit_vmm_device {
  uint64_t base, size;
  void *ctx;
  uint64_t (*read)(microkit_vmm *vmm, void *ctx, unsigned vcpu, uint64_t offset, unsigned size);
  void (*write)(microkit_vmm *vmm, void *ctx, unsigned vcpu, uint64_t offset, unsigned size, uint64_t value);
} microkit_vmm_device;

/* Called when the guest has finished with (EOIed) a virtual IRQ. */
typedef void (*microkit_vmm_eoi_hook)(microkit_vmm *vmm, unsigned vcpu, unsigned irq, void *ctx);

typedef struct microkit_vmm_config {
  uintptr_t ram_vaddr;          /* where the VMM maps the guest RAM MR */
  uint64_t ram_gpa, ram_size;   /* where the guest sees it */
  unsigned num_vcpus;           /* the VM's vCPUs, ids 0..num_vcpus-1 */
  uint64_t gicd_gpa;            /* the emulated distributor (QEMU virt: 0x8000000) */
  unsigned num_list_registers;  /* the GIC's list registers (QEMU's GICv2: 4) */
  /* What a guest's PSCI SYSTEM_OFF / SYSTEM_RESET does; NULL: stop the
   * vCPUs / microkit_vmm_restart. */
  void (*on_power_off)(microkit_vmm *vmm);
  void (*on_reset)(microkit_vmm *vmm);
} microkit_vmm_config;

struct microkit_vmm_irq_hook {
  unsigned irq;
  microkit_vmm_eoi_hook hook;
  void *ctx;
};

struct microkit_vmm_passthrough {
  microkit_channel channel;
  unsigned irq;
};

/* What each vCPU's exits were, for measurements (microkit_vmm_print_stats). */
typedef struct microkit_vmm_stats {
  uint64_t mmio, psci, vtimer, maintenance;  /* exits by kind */
  uint64_t wfi_answered, wfi_parked;         /* wfi exits: resumed at once, or parked */
  uint64_t woken_by_timer, woken_by_irq;     /* how parked waits ended */
  uint64_t longest_park, latest_wake;        /* counter ticks: a wait's length, a timer wake past its deadline */
} microkit_vmm_stats;

struct microkit_vmm {
  microkit_vmm_config config;
  microkit_vmm_gic gic;
  uint32_t cpus_on;                    /* bit i: vCPU i runs */
  uint32_t vppi_pending[MICROKIT_VMM_MAX_VCPUS];  /* PPIs to ack with microkit_vcpu_arm_ack_vppi on EOI */
  uint32_t parked;                     /* bit i: vCPU i waits in wfi, stopped, while another vCPU runs */
  uint64_t parked_pc[MICROKIT_VMM_MAX_VCPUS];     /* where a parked vCPU resumes (past its wfi) */
  uint64_t wake_at[MICROKIT_VMM_MAX_VCPUS];       /* a parked vCPU's virtual timer deadline (CNTPCT ticks) */
  uint64_t parked_at[MICROKIT_VMM_MAX_VCPUS];     /* when it was parked (CNTPCT ticks) */
  microkit_vmm_device devices[MICROKIT_VMM_MAX_DEVICES];
  unsigned num_devices;
  struct microkit_vmm_irq_hook hooks[MICROKIT_VMM_MAX_IRQ_HOOKS];
  unsigned num_hooks;
  struct microkit_vmm_passthrough passthrough[MICROKIT_VMM_MAX_IRQ_HOOKS];
  unsigned num_passthrough;
  /* The guest's images, kept for microkit_vmm_restart. */
  const void *kernel, *dtb, *initrd;
  size_t kernel_size, dtb_size, initrd_size;
  uint64_t entry_gpa, dtb_gpa;
  uint64_t exits;                      /* faults handled, for measurements */
  microkit_vmm_stats stats[MICROKIT_VMM_MAX_VCPUS];
};

/* Sets up the VMM; registers the distributor as a device. */
void microkit_vmm_init(microkit_vmm *vmm, const microkit_vmm_config *config);

/* Copies the Image (at its 2 MiB-aligned text_offset), the DTB (near the
 * top of RAM) and the initrd (below the DTB) into guest RAM, and writes the
 * initrd's place into the DTB's /chosen linux,initrd-start/-end (which the
 * .dts must hold as placeholders when there is an initrd). Returns 0, or
 * prints what does not fit and returns -1. The images are kept (by
 * pointer) to reload them on restart. */
int microkit_vmm_load_linux(microkit_vmm *vmm, const void *kernel, size_t kernel_size, const void *dtb,
                            size_t dtb_size, const void *initrd, size_t initrd_size);

/* Starts vCPU 0 at the kernel's entry with x0 = the DTB's address, the
 * MMU off and interrupts masked (the arm64 boot protocol). */
void microkit_vmm_start(microkit_vmm *vmm);

/* Stops every vCPU, forgets the virtual GIC's state, reloads the images
 * and starts vCPU 0 again. */
void microkit_vmm_restart(microkit_vmm *vmm);

/* Hands guest accesses to [device->base, +size) to the device. Returns 0, -1 when full. */
int microkit_vmm_add_device(microkit_vmm *vmm, const microkit_vmm_device *device);

/* Calls `hook` whenever the guest EOIs `irq`. Returns 0, -1 when full. */
int microkit_vmm_on_eoi(microkit_vmm *vmm, unsigned irq, microkit_vmm_eoi_hook hook, void *ctx);

/* Passes through a device's IRQ: the PD's IRQ channel `channel` becomes
 * the guest's SPI `irq` (notified() -> inject; guest EOI -> microkit_irq_ack).
 * The device's registers are an MR mapped into the guest. Returns 0 or -1. */
int microkit_vmm_passthrough_irq(microkit_vmm *vmm, microkit_channel channel, unsigned irq);

/* For the VMM's notified(): returns 1 if `channel` was a passed-through IRQ
 * (now injected), else 0. */
int microkit_vmm_notified(microkit_vmm *vmm, microkit_channel channel);

/* An emulated device's interrupt line (SPIs: any vCPU the guest routes it to). */
void microkit_vmm_set_irq_level(microkit_vmm *vmm, unsigned irq, int high);
/* An edge on `irq` (SGIs and PPIs: of vCPU `vcpu`). */
void microkit_vmm_raise_irq(microkit_vmm *vmm, unsigned vcpu, unsigned irq);

/* For the VMM's fault(): handles a fault of vCPU `child` (data aborts on
 * devices, HVC/SMC PSCI calls, WFI, VPPI events, VGIC maintenance).
 * Returns seL4_True to resume the vCPU; seL4_False (after printing what
 * happened) for a fault it cannot handle, which leaves the vCPU stopped. */
seL4_Bool microkit_vmm_fault(microkit_vmm *vmm, microkit_child child, microkit_msginfo msginfo,
                             microkit_msginfo *reply);

/* Prints each vCPU's microkit_vmm_stats (debug output), e.g. from a VMM
 * that wants to see where a guest's time goes. */
void microkit_vmm_print_stats(const microkit_vmm *vmm);

/* Guest RAM as the VMM sees it: a pointer for guest-physical `gpa`, NULL outside RAM. */
void *microkit_vmm_guest_ram(microkit_vmm *vmm, uint64_t gpa, size_t size);

/* ---- A console: an emulated PL011 whose bytes travel to and from another
 * PD (which owns the real UART) through two rings in shared MRs ---- */

typedef struct microkit_vmm_console {
  microkit_vmm *vmm;
  microkit_vmm_pl011 uart;
  microkit_vmm_ring *tx;   /* guest -> serial PD; this side produces */
  microkit_vmm_ring *rx;   /* serial PD -> guest; the serial PD produces */
  microkit_channel serial; /* notified when tx has bytes */
  unsigned irq;            /* the UART's SPI in the guest */
  uint64_t dropped;        /* bytes lost to a full tx ring */
} microkit_vmm_console;

/* Emulates a PL011 at guest address `gpa` with interrupt `irq`. `tx_memory`
 * is laid out as a ring here; `rx_memory` is the serial PD's ring. */
int microkit_vmm_console_init(microkit_vmm_console *console, microkit_vmm *vmm, uint64_t gpa, unsigned irq,
                              void *tx_memory, size_t tx_size, void *rx_memory, microkit_channel serial);
/* For notified(): the serial PD says rx has bytes. */
void microkit_vmm_console_notified(microkit_vmm_console *console);

/* ---- A virtio console: a virtio-MMIO device (version 2, ID 3) with the
 * same kind of back end as the PL011 console: two byte rings in shared MRs
 * and a notification to the serial PD ---- */

typedef struct microkit_vmm_vconsole {
  microkit_vmm *vmm;
  microkit_vmm_virtio_console dev;
  microkit_vmm_ring *tx;   /* guest -> serial PD; this side produces */
  microkit_vmm_ring *rx;   /* serial PD -> guest; the serial PD produces */
  microkit_channel serial; /* notified when tx has new bytes */
  unsigned irq;            /* the device's SPI in the guest */
  int sent;                /* bytes pushed since the last notification */
} microkit_vmm_vconsole;

/* Emulates a virtio console at guest address `gpa` (a virtio,mmio node with
 * interrupt `irq` in the guest's DTB; MICROKIT_VMM_VIRTIO_MMIO_SIZE bytes).
 * `tx` is a ring this VMM laid out (microkit_vmm_ring_init), possibly a
 * PL011 console's (console.tx: the VMM stays its only producer);
 * `rx_memory` is the serial PD's ring, or NULL for an output-only console.
 * Do not share an rx ring with a PL011 console: the virtio console takes
 * bytes as soon as the guest has buffers posted, so the UART would see no
 * input. The virtqueues live in the VMM's guest RAM. Returns 0, -1 when
 * the device table is full or `tx` is NULL. */
int microkit_vmm_vconsole_init(microkit_vmm_vconsole *console, microkit_vmm *vmm, uint64_t gpa, unsigned irq,
                               microkit_vmm_ring *tx, void *rx_memory, microkit_channel serial);
/* For notified(): the serial PD has put bytes in rx or taken bytes from tx. */
void microkit_vmm_vconsole_notified(microkit_vmm_vconsole *console);

/* ---- A virtio block device: a virtio-MMIO device (version 2, ID 2) whose
 * storage is another PD (the block PD), reached over two message rings and
 * a data MR in shared memory and one channel ---- */

typedef struct microkit_vmm_vblock {
  microkit_vmm *vmm;
  microkit_vmm_virtio_blk dev;
  microkit_vmm_ring *requests; /* VMM -> block PD; this side produces */
  microkit_vmm_ring *answers;  /* block PD -> VMM; the block PD produces */
  uint8_t *data;               /* MICROKIT_VMM_BLK_SLOTS slots of slot_size bytes */
  microkit_channel channel;    /* to the block PD */
  unsigned irq;                /* the device's SPI in the guest */
  int submitted;               /* requests sent since the last notification */
} microkit_vmm_vblock;

/* Emulates a virtio block device of `capacity_sectors` 512-byte sectors at
 * guest address `gpa` (a virtio,mmio node with interrupt `irq` in the
 * guest's DTB). `request_memory` is laid out as a ring here;
 * `answer_memory` is the block PD's ring; `data` is split into
 * MICROKIT_VMM_BLK_SLOTS slots (each a multiple of 4096 bytes, which
 * bounds a request). Returns 0, -1 when the device table is full or a
 * slot would be under 4096 bytes. */
int microkit_vmm_vblock_init(microkit_vmm_vblock *block, microkit_vmm *vmm, uint64_t gpa, unsigned irq,
                             uint64_t capacity_sectors, void *request_memory, size_t request_size,
                             void *answer_memory, void *data, size_t data_size, microkit_channel channel);
/* For notified(): the block PD has answered. */
void microkit_vmm_vblock_notified(microkit_vmm_vblock *block);

#ifdef __cplusplus
}
#endif

#endif /* MICROKIT_VMM_H */
