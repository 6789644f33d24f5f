/* microkit_vmm_parts.h: the pure parts of the VMM library (docs/virtual-machines.md).
 *
 * Everything here is a model or a decoder with no kernel calls: the Linux
 * arm64 Image header, data-abort syndromes, PSCI calls, the GICv2
 * distributor, when an idle vCPU may wait, an emulated PL011 UART, virtio-MMIO console and block devices, a single-producer single-consumer
 * byte ring in shared memory and the few device-tree edits a VMM makes. The
 * same code is built into the seL4 library (microkit_vmm.h drives it from a
 * VMM PD's fault()) and into host unit tests. No heap, no globals: every
 * model is a struct the caller owns. Works from C and C++. */
#ifndef MICROKIT_VMM_PARTS_H
#define MICROKIT_VMM_PARTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Linux arm64 Image (Documentation/arch/arm64/booting.rst) ---- */

typedef struct microkit_vmm_image_info {
  uint64_t text_offset; /* where the Image starts above a 2 MiB-aligned base */
  uint64_t image_size;  /* bytes the kernel occupies once running (>= file size) */
  int big_endian;
} microkit_vmm_image_info;

/* Reads the 64-byte header; returns 0, or a message naming what is wrong
 * (too short, no "ARM\x64" magic). */
const char *microkit_vmm_image_parse(const void *image, size_t size, microkit_vmm_image_info *info);

/* The guest-physical address to load the Image at: the first 2 MiB-aligned
 * address at or above ram_base, plus text_offset. */
uint64_t microkit_vmm_image_load_address(uint64_t ram_base, const microkit_vmm_image_info *info);

/* ---- Data aborts (ESR_EL2 with EC 0x24: a guest load or store faulted) ---- */

typedef struct microkit_vmm_access {
  int is_write;
  unsigned size;        /* bytes: 1, 2, 4 or 8 */
  unsigned reg;         /* SRT: x0..x30; 31 is xzr */
  int sign_extend;      /* SSE: a load that sign-extends */
  int reg_is_64bit;     /* SF: the register is x (else w) */
} microkit_vmm_access;

#define MICROKIT_VMM_EC_DATA_ABORT_LOWER 0x24u
#define MICROKIT_VMM_EC_WFI_WFE 0x01u
#define MICROKIT_VMM_EC_HVC64 0x16u
#define MICROKIT_VMM_EC_SMC64 0x17u
#define MICROKIT_VMM_EC_SYSREG 0x18u

static inline unsigned microkit_vmm_esr_class(uint64_t esr) { return (unsigned)((esr >> 26) & 0x3f); }

/* Decodes a data abort's syndrome; returns 0 when it holds no instruction
 * syndrome (ISV clear: e.g. a load pair, which cannot be emulated). */
int microkit_vmm_data_abort_decode(uint64_t esr, microkit_vmm_access *access);

/* The value a load leaves in its register, given the `raw` bytes read
 * (sign- or zero-extended to the access's register width). */
uint64_t microkit_vmm_load_result(const microkit_vmm_access *access, uint64_t raw);

/* The bytes a store writes, from the register's value. */
uint64_t microkit_vmm_store_value(const microkit_vmm_access *access, uint64_t reg_value);

/* ---- PSCI 1.0 over HVC/SMC (DEN0022) ---- */

#define MICROKIT_VMM_PSCI_VERSION 0x84000000u
#define MICROKIT_VMM_PSCI_CPU_SUSPEND 0xc4000001u
#define MICROKIT_VMM_PSCI_CPU_OFF 0x84000002u
#define MICROKIT_VMM_PSCI_CPU_ON 0xc4000003u
#define MICROKIT_VMM_PSCI_AFFINITY_INFO 0xc4000004u
#define MICROKIT_VMM_PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define MICROKIT_VMM_PSCI_SYSTEM_OFF 0x84000008u
#define MICROKIT_VMM_PSCI_SYSTEM_RESET 0x84000009u
#define MICROKIT_VMM_PSCI_FEATURES 0x8400000au
#define MICROKIT_VMM_SMCCC_VERSION 0x80000000u

#define MICROKIT_VMM_PSCI_SUCCESS 0
#define MICROKIT_VMM_PSCI_NOT_SUPPORTED (-1)
#define MICROKIT_VMM_PSCI_INVALID_PARAMETERS (-2)
#define MICROKIT_VMM_PSCI_ALREADY_ON (-4)

typedef enum microkit_vmm_psci_action {
  MICROKIT_VMM_PSCI_RESUME,      /* write the result to x0 and resume the caller */
  MICROKIT_VMM_PSCI_START_CPU,   /* start vCPU `target` at `entry` with x0 = `context`, then resume */
  MICROKIT_VMM_PSCI_STOP_CPU,    /* stop the calling vCPU */
  MICROKIT_VMM_PSCI_POWER_OFF,   /* the guest asked to be switched off */
  MICROKIT_VMM_PSCI_RESET,       /* the guest asked to be rebooted */
} microkit_vmm_psci_action;

typedef struct microkit_vmm_psci_result {
  microkit_vmm_psci_action action;
  int64_t x0;          /* the value for the caller's x0 */
  unsigned target;     /* START_CPU: the vCPU (MPIDR Aff0) */
  uint64_t entry;      /* START_CPU */
  uint64_t context;    /* START_CPU */
} microkit_vmm_psci_result;

/* Decides one PSCI call from x0..x3, given which vCPUs are on (bit i = vCPU
 * i) and how many exist. Pure: the caller performs the action and, for
 * START_CPU and STOP_CPU, updates `cpus_on`. */
microkit_vmm_psci_result microkit_vmm_psci_decide(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                                                  uint32_t cpus_on, unsigned num_cpus);

/* ---- The GICv2 distributor, emulated (IHI0048B) ---- */

#define MICROKIT_VMM_GIC_MAX_IRQS 256u   /* SGIs 0-15, PPIs 16-31, SPIs 32-255 */
#define MICROKIT_VMM_GIC_MAX_CPUS 8u
#define MICROKIT_VMM_GIC_MAX_LRS 16u     /* list registers a vCPU may have */
#define MICROKIT_VMM_GIC_NO_IRQ 0xffffu

typedef struct microkit_vmm_gic_cpu {
  uint32_t enabled[1], pending[1], active[1], level[1];  /* IRQs 0-31, banked per CPU */
  uint8_t priority[32];
  uint16_t lr[MICROKIT_VMM_GIC_MAX_LRS];  /* which IRQ each list register holds */
} microkit_vmm_gic_cpu;

typedef struct microkit_vmm_gic {
  unsigned num_cpus, num_lrs;
  uint32_t ctlr;
  uint32_t enabled[MICROKIT_VMM_GIC_MAX_IRQS / 32], pending[MICROKIT_VMM_GIC_MAX_IRQS / 32];
  uint32_t active[MICROKIT_VMM_GIC_MAX_IRQS / 32], level[MICROKIT_VMM_GIC_MAX_IRQS / 32];
  uint32_t group[MICROKIT_VMM_GIC_MAX_IRQS / 32], config[MICROKIT_VMM_GIC_MAX_IRQS / 16];
  uint8_t priority[MICROKIT_VMM_GIC_MAX_IRQS], targets[MICROKIT_VMM_GIC_MAX_IRQS];
  microkit_vmm_gic_cpu cpu[MICROKIT_VMM_GIC_MAX_CPUS];
} microkit_vmm_gic;

/* An IRQ to put in a vCPU's list register `lr` (seL4_ARM_VCPU_InjectIRQ). */
typedef struct microkit_vmm_gic_injection {
  unsigned irq, priority, lr;
} microkit_vmm_gic_injection;

#define MICROKIT_VMM_GICD_SIZE 0x1000u

void microkit_vmm_gic_init(microkit_vmm_gic *gic, unsigned num_cpus, unsigned num_lrs);
/* A distributor register access by vCPU `cpu` at `offset` (4-byte or
 * byte-wide, as the GICv2 spec allows per register). */
uint32_t microkit_vmm_gic_read(microkit_vmm_gic *gic, unsigned cpu, uint32_t offset, unsigned size);
void microkit_vmm_gic_write(microkit_vmm_gic *gic, unsigned cpu, uint32_t offset, unsigned size,
                            uint32_t value);
/* An edge: IRQ `irq` becomes pending (for SGIs/PPIs: on vCPU `cpu`). */
void microkit_vmm_gic_raise(microkit_vmm_gic *gic, unsigned cpu, unsigned irq);
/* A level-sensitive line: pending while high; re-raised after EOI while high. */
void microkit_vmm_gic_set_level(microkit_vmm_gic *gic, unsigned cpu, unsigned irq, int high);
/* The next injection for vCPU `cpu`: a pending, enabled IRQ (highest
 * priority first) in a free list register; returns 0 when there is none.
 * The IRQ leaves the pending state and the list register is marked used. */
int microkit_vmm_gic_next_injection(microkit_vmm_gic *gic, unsigned cpu, microkit_vmm_gic_injection *out);
/* The guest finished with list register `lr` (EOI, a maintenance event);
 * returns the IRQ it held (MICROKIT_VMM_GIC_NO_IRQ if none). A level IRQ
 * still high is pending again. */
unsigned microkit_vmm_gic_eoi(microkit_vmm_gic *gic, unsigned cpu, unsigned lr);
/* Forgets what the list registers hold and every pending state (a guest restart). */
void microkit_vmm_gic_reset(microkit_vmm_gic *gic);

/* ---- PL011 UART, emulated (DDI0183) ---- */

typedef struct microkit_vmm_pl011_io {
  void *ctx;
  void (*put)(void *ctx, uint8_t byte);     /* a byte the guest transmits */
  int (*get)(void *ctx, uint8_t *byte);     /* a received byte for the guest; 0 when none */
  int (*peek)(void *ctx);                   /* whether a received byte waits */
} microkit_vmm_pl011_io;

typedef struct microkit_vmm_pl011 {
  microkit_vmm_pl011_io io;
  uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, dmacr;
  uint32_t ris_latched;   /* RIS bits that stay until cleared (errors) */
} microkit_vmm_pl011;

#define MICROKIT_VMM_PL011_SIZE 0x1000u

void microkit_vmm_pl011_init(microkit_vmm_pl011 *uart, microkit_vmm_pl011_io io);
uint32_t microkit_vmm_pl011_read(microkit_vmm_pl011 *uart, uint32_t offset);
void microkit_vmm_pl011_write(microkit_vmm_pl011 *uart, uint32_t offset, uint32_t value);
/* Whether the UART's interrupt line is high (RIS & IMSC). */
int microkit_vmm_pl011_irq(microkit_vmm_pl011 *uart);

/* ---- A byte ring in shared memory: one producer PD, one consumer PD ---- */

typedef struct microkit_vmm_ring {
  volatile uint32_t head;  /* written by the producer only */
  volatile uint32_t tail;  /* written by the consumer only */
  uint32_t size;           /* bytes of data[], a power of two; set once by the producer */
  uint32_t reserved;
  uint8_t data[];
} microkit_vmm_ring;

/* Lays a ring over `bytes` of shared memory (the producer does this once);
 * the data area is the largest power of two that fits. Returns NULL if
 * fewer than 32 bytes. */
microkit_vmm_ring *microkit_vmm_ring_init(void *memory, size_t bytes);
uint32_t microkit_vmm_ring_count(const microkit_vmm_ring *ring);
/* Returns 0 when full (push) or empty (pop). */
int microkit_vmm_ring_push(microkit_vmm_ring *ring, uint8_t byte);
int microkit_vmm_ring_pop(microkit_vmm_ring *ring, uint8_t *byte);
/* All or nothing: `bytes` bytes, published at once (fixed-size messages);
 * return 0 when there is not room (write) or not that much (read). */
int microkit_vmm_ring_write(microkit_vmm_ring *ring, const void *data, uint32_t bytes);
int microkit_vmm_ring_read(microkit_vmm_ring *ring, void *data, uint32_t bytes);

/* ---- virtio devices over the MMIO transport (OASIS virtio 1.2: 4.2, 2.7) ----
 *
 * Version-2 ("modern") virtio-MMIO devices whose split virtqueues live in
 * guest RAM. The models read and write guest RAM through `ram`
 * (guest-physical ram_gpa..+ram_size as the VMM maps it) and never outside
 * it: a queue or buffer that leaves RAM sets DEVICE_NEEDS_RESET. A driver
 * must accept VIRTIO_F_VERSION_1 and nothing that was not offered. */

#define MICROKIT_VMM_VIRTIO_MMIO_SIZE 0x200u
#define MICROKIT_VMM_VIRTIO_QUEUE_MAX 128u   /* QueueNumMax of every queue */
#define MICROKIT_VMM_VIRTIO_F_VERSION_1 (1ull << 32)
#define MICROKIT_VMM_VIRTIO_MAX_QUEUES 2u
#define MICROKIT_VMM_VIRTIO_CONFIG_MAX 24u

/* The driver's status bits (2.1). */
#define MICROKIT_VMM_VIRTIO_ACKNOWLEDGE 1u
#define MICROKIT_VMM_VIRTIO_DRIVER 2u
#define MICROKIT_VMM_VIRTIO_DRIVER_OK 4u
#define MICROKIT_VMM_VIRTIO_FEATURES_OK 8u
#define MICROKIT_VMM_VIRTIO_NEEDS_RESET 64u
#define MICROKIT_VMM_VIRTIO_FAILED 128u

typedef struct microkit_vmm_virtq {
  uint32_t num, ready;
  uint64_t desc, driver, device;   /* descriptor table, available ring, used ring (guest-physical) */
  uint16_t last_avail;             /* the next available entry the device takes */
  uint16_t used_idx;               /* the device's copy of used->idx */
} microkit_vmm_virtq;

/* The transport's state, common to every device model below. */
typedef struct microkit_vmm_virtio_transport {
  uint8_t *ram;
  uint64_t ram_gpa, ram_size;
  uint32_t device_id, num_queues;
  uint64_t offered;                 /* feature bits */
  uint8_t config[MICROKIT_VMM_VIRTIO_CONFIG_MAX];  /* the device's configuration space (read-only) */
  uint32_t status, interrupt_status;
  uint32_t device_features_sel, driver_features_sel, queue_sel;
  uint64_t driver_features;
  microkit_vmm_virtq queue[MICROKIT_VMM_VIRTIO_MAX_QUEUES];
} microkit_vmm_virtio_transport;

/* ---- virtio console (5.3): device ID 3, one port; queue 0 carries bytes
 * to the guest (receiveq), queue 1 from it (transmitq). The only feature
 * offered is VIRTIO_F_VERSION_1. Bytes travel through `io`. ---- */

typedef struct microkit_vmm_virtio_io {
  void *ctx;
  int (*put)(void *ctx, uint8_t byte);    /* a byte the guest transmits; 0 when the back end is full */
  int (*get)(void *ctx, uint8_t *byte);   /* a received byte for the guest; 0 when none */
  int (*peek)(void *ctx);                 /* whether a received byte waits */
} microkit_vmm_virtio_io;

typedef struct microkit_vmm_virtio_console {
  microkit_vmm_virtio_transport t;
  microkit_vmm_virtio_io io;
  uint32_t tx_sent;                /* bytes of the transmit chain at last_avail already given to io.put */
} microkit_vmm_virtio_console;

void microkit_vmm_virtio_console_init(microkit_vmm_virtio_console *dev, microkit_vmm_virtio_io io, void *ram,
                                      uint64_t ram_gpa, uint64_t ram_size);
/* A guest access at `offset` of the MMIO window (registers: 4 bytes; the
 * config space from 0x100: any width). A QueueNotify moves bytes at once. */
uint32_t microkit_vmm_virtio_console_read(microkit_vmm_virtio_console *dev, uint32_t offset, unsigned size);
void microkit_vmm_virtio_console_write(microkit_vmm_virtio_console *dev, uint32_t offset, unsigned size,
                                       uint32_t value);
/* Moves what can move: transmit chains to io.put (resuming where a full
 * back end stopped them), received bytes into the guest's receive buffers.
 * For when the back end says it has bytes or room. */
void microkit_vmm_virtio_console_poll(microkit_vmm_virtio_console *dev);
/* Whether the interrupt line is high (InterruptStatus non-zero). */
int microkit_vmm_virtio_console_irq(const microkit_vmm_virtio_console *dev);

/* ---- virtio block device (5.2): device ID 2, one request queue.
 * Offered: VERSION_1, SIZE_MAX (4096-byte segments), SEG_MAX (so a
 * request's data fits one back-end slot) and FLUSH. Requests go to a back
 * end asynchronously: the model checks a request (type, sectors within the
 * capacity, data within a slot), copies a write's data into the slot's
 * buffer and submits it; the back end answers later with
 * microkit_vmm_virtio_blk_complete, which copies a read's data into the
 * guest's buffers, writes the status byte and returns the chain. ---- */

#define MICROKIT_VMM_BLK_SECTOR 512u
#define MICROKIT_VMM_BLK_SLOTS 8u           /* requests in flight at once */
#define MICROKIT_VMM_BLK_SEGMENT 4096u      /* size_max */
#define MICROKIT_VMM_BLK_T_IN 0u
#define MICROKIT_VMM_BLK_T_OUT 1u
#define MICROKIT_VMM_BLK_T_FLUSH 4u
#define MICROKIT_VMM_BLK_S_OK 0u
#define MICROKIT_VMM_BLK_S_IOERR 1u
#define MICROKIT_VMM_BLK_S_UNSUPP 2u
#define MICROKIT_VMM_BLK_F_SIZE_MAX (1ull << 1)
#define MICROKIT_VMM_BLK_F_SEG_MAX (1ull << 2)
#define MICROKIT_VMM_BLK_F_FLUSH (1ull << 9)

typedef struct microkit_vmm_blk_io {
  void *ctx;
  /* Starts request `slot` (type IN, OUT or FLUSH; `bytes` of data from
   * `sector`, in the slot's buffer for OUT, wanted there for IN). Returns 0
   * when the back end cannot take it now: the model retries on the next poll. */
  int (*submit)(void *ctx, unsigned slot, uint32_t type, uint64_t sector, uint32_t bytes);
  uint8_t *(*buffer)(void *ctx, unsigned slot);   /* the slot's data buffer, slot_size bytes */
} microkit_vmm_blk_io;

typedef struct microkit_vmm_blk_slot {
  uint8_t busy;      /* submitted, no answer yet */
  uint8_t orphan;    /* submitted before a device reset: its answer is dropped */
  uint16_t head;     /* the request's chain */
  uint32_t type, bytes;
} microkit_vmm_blk_slot;

typedef struct microkit_vmm_virtio_blk {
  microkit_vmm_virtio_transport t;
  microkit_vmm_blk_io io;
  uint64_t capacity;       /* sectors */
  uint32_t slot_size;      /* bytes of each slot's buffer (a multiple of 4096) */
  microkit_vmm_blk_slot slot[MICROKIT_VMM_BLK_SLOTS];
} microkit_vmm_virtio_blk;

/* `slot_size` must be a non-zero multiple of MICROKIT_VMM_BLK_SEGMENT. */
void microkit_vmm_virtio_blk_init(microkit_vmm_virtio_blk *dev, microkit_vmm_blk_io io, uint64_t capacity_sectors,
                                  uint32_t slot_size, void *ram, uint64_t ram_gpa, uint64_t ram_size);
uint32_t microkit_vmm_virtio_blk_read(microkit_vmm_virtio_blk *dev, uint32_t offset, unsigned size);
void microkit_vmm_virtio_blk_write(microkit_vmm_virtio_blk *dev, uint32_t offset, unsigned size, uint32_t value);
/* Takes the requests the driver made available, while slots are free. */
void microkit_vmm_virtio_blk_poll(microkit_vmm_virtio_blk *dev);
/* The back end's answer to request `slot` (status: MICROKIT_VMM_BLK_S_*). */
void microkit_vmm_virtio_blk_complete(microkit_vmm_virtio_blk *dev, unsigned slot, uint32_t status);
int microkit_vmm_virtio_blk_irq(const microkit_vmm_virtio_blk *dev);

/* A block request (VMM -> block PD) or its answer (block PD -> VMM), one
 * message on a microkit_vmm_ring (microkit_vmm_ring_write/_read). The
 * request's data is in slot `slot` of the data MR they share (slot i at
 * i * slot_size); the answer echoes the request with `status` set. */
typedef struct microkit_vmm_blk_message {
  uint32_t slot, type;
  uint64_t sector;
  uint32_t bytes, status;
} microkit_vmm_blk_message;

/* ---- Idle vCPUs (a wfi the kernel traps to the VMM) ---- */

#define MICROKIT_VMM_NEVER UINT64_MAX

/* When a vCPU's virtual timer fires, in physical counter ticks (CNTPCT),
 * from its CNTV_CTL, CNTV_CVAL and CNTVOFF; MICROKIT_VMM_NEVER when the
 * timer is off or its interrupt masked. */
uint64_t microkit_vmm_vtimer_deadline(uint64_t cntv_ctl, uint64_t cntv_cval, uint64_t cntvoff);

/* Whether vCPU `vcpu`, in wfi at physical time `now` with its timer due at
 * `deadline`, may wait unanswered (parked): only while another vCPU of
 * `cpus_on` runs (is not in `parked`), whose exits let the VMM see the
 * deadline pass, and only when the deadline is still ahead. */
int microkit_vmm_may_park(unsigned vcpu, uint32_t cpus_on, uint32_t parked, uint64_t deadline, uint64_t now);

/* The parked vCPUs (bits of `parked`, `count` of them) whose `wake_at` has
 * come by `now`. */
uint32_t microkit_vmm_due(const uint64_t *wake_at, uint32_t parked, unsigned count, uint64_t now);

/* ---- Device tree blobs (DTSpec 0.4, chapter 5) ---- */

/* Returns 0 if `dtb` is a flattened device tree of at most `size` bytes,
 * else a message saying what is wrong. */
const char *microkit_vmm_dtb_check(const void *dtb, size_t size);
/* The blob's total size (its header), 0 if not a blob. */
uint32_t microkit_vmm_dtb_size(const void *dtb);
/* Sets property `name` of node /chosen to `value` in place; the property
 * must exist with 4 or 8 bytes (a placeholder in the .dts). Returns 0 or a
 * message. */
const char *microkit_vmm_dtb_set_chosen(void *dtb, const char *name, uint64_t value);

#ifdef __cplusplus
}
#endif

#endif /* MICROKIT_VMM_PARTS_H */
