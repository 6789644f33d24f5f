// initialiser_spec.h: the serialised plan the seL4 initial task executes.
//
// The tool (host C++20) decides every kernel object, CNode slot, mapping and
// thread setting of a system and writes them here as a flat list of steps;
// the initial task (runtime/initialiser, freestanding C++) checks each step
// and performs it with one seL4 invocation. Nothing is decided on the target:
// a step that fails is a tool bug, reported with its step number.
//
// Where the spec lives. The loader places one "user image" region that the
// kernel maps into the initial task (one 4 KiB frame cap per page, bootinfo
// userImageFrames, in ascending address order starting at the image's lowest
// virtual address). That region holds, in this order:
//   1. the initialiser's ELF segments (its lowest vaddr is the user image's
//      first page, SpecHeader::user_image_vaddr);
//   2. the spec: it starts at the first kSpecAlign boundary at or after the
//      end (vaddr + memsz) of the initialiser's last PT_LOAD segment; the
//      initialiser finds it through its linker symbol __initialiser_end;
//   3. anything else the tool wants to hand over without copying, each piece
//      page-aligned: PD program segments, MR prefill data. The spec maps those
//      pages into PDs by copying the kernel's frame cap for the page
//      (root slot = user_image_frames_start + (vaddr - user_image_vaddr) / 4096)
//      and mapping the copy (a copy of a frame cap is unmapped, so it can be
//      mapped again; the original stays mapped in the initial task).
//
// Layout (all integers little-endian; every offset counts from the first
// byte of SpecHeader; every table 8-byte aligned and inside total_size):
//
//   SpecHeader                      128 bytes
//   ExpectedUntyped[untyped_count]   16 bytes each (the whole bootinfo list)
//   Step[step_count]                 64 bytes each, executed in order
//   PdEntry[pd_count]                48 bytes each (fault reports, passive PDs)
//   char strings[strings_size]      PD names, not NUL-terminated
//   fault symbol tables              8-aligned, one per PD that has one
//                                    (runtime/shared/fault_symbols.h)
//
// Slots. Every "slot" below is a CPtr in the initial task's root CNode,
// which the kernel builds with guard bits making a CPtr exactly a slot number
// (depth seL4_WordBits = 64). The tool predicts the bootinfo slot regions
// (tool/kernel/boot_emulation.h) and records them in the header; the
// initialiser refuses to run unless the kernel's bootinfo matches them, so
// steps can use absolute slot numbers. Destinations of new caps must lie in
// [empty_start, empty_end); sources may be any slot below 2^root CNode bits
// except 0 (seL4_CapNull). Steps that name a CNode to write into (Copy, Mint,
// IrqIssue) give the root slot holding that CNode cap and the depth to
// resolve the index with (64 for the root CNode, slot seL4_CapInitThreadCNode
// = 2; the CNode's radix bits for an unguarded PD CNode cap).
//
// Versioning: any change of a layout, a kind number or a meaning bumps
// kSpecVersion; the initialiser refuses any other version. Layouts are pinned
// by static_assert. Reserved fields must be zero (the decoder rejects
// non-zero ones, so they can be given meanings later without ambiguity).
//
// This header is included by freestanding target code: only <stdint.h> and
// <stddef.h>, no std, no allocation.
#pragma once

#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the initialiser spec is little-endian; this code reads it in place"
#endif

namespace microkit::initialiser_spec {

// "MKIS" in the first four bytes.
inline constexpr uint32_t kSpecMagic = 0x53494b4du;
// Version 2: PdEntry grew notification_slot (40 bytes instead of 32).
// Version 4: BindUntyped and the x86-64 device kinds renumbered 24..28.
// Version 6: the x86 EPT object kinds (16..19) and steps EptMap, TcbSetEptRoot.
// Version 7: PdEntry grew symbols_offset/symbols_size (48 bytes instead of 40).
inline constexpr uint32_t kSpecVersion = 7;
// Alignment of the spec's start inside the user image.
inline constexpr uint64_t kSpecAlign = 4096;
// Bounds the decoder enforces before walking any table.
inline constexpr uint32_t kMaxSteps = 1u << 20;
inline constexpr uint32_t kMaxPds = 64;
inline constexpr uint32_t kMaxUntypeds = 1024;
inline constexpr uint32_t kMaxNameBytes = 64;

struct SpecHeader {
  uint32_t magic;           // kSpecMagic
  uint32_t version;         // kSpecVersion
  uint64_t total_size;      // bytes of the whole spec, header included
  uint32_t untyped_count;   // == bootinfo untyped.end - untyped.start
  uint32_t untyped_offset;  // ExpectedUntyped table
  uint32_t step_count;
  uint32_t step_offset;     // Step table
  uint32_t pd_count;
  uint32_t pd_offset;       // PdEntry table
  uint32_t strings_size;
  uint32_t strings_offset;  // string table (PD names)
  // Where faults of PDs without a parent arrive (an endpoint the steps
  // create) and the MCS Reply object the initialiser receives with. 0 = no
  // fault handling: the initialiser suspends itself after the last step.
  uint64_t fault_ep_slot;
  uint64_t reply_slot;
  // The bootinfo the plan was made for (seL4_SlotRegion values, [start, end)).
  uint64_t empty_start;
  uint64_t empty_end;
  uint64_t user_image_frames_start;
  uint64_t user_image_frames_end;
  uint64_t untyped_start;        // the untypeds' slots: [untyped_start, + untyped_count)
  uint64_t sched_control_start;  // MCS: sched control cap of core 0
  uint64_t user_image_vaddr;     // virtual address of user image frame 0
  uint64_t sched_control_count;  // == bootinfo schedcontrol.end - start
};

// One entry of the bootinfo untypedList, as planned (seL4_UntypedDesc).
//
// Bound untypeds (x86-64). Where RAM is found at boot (multiboot), the tool
// plans into the untyped list of a documented minimum machine
// (docs/sel4-planning.md) and marks every entry with `bind` != kBindExact.
// Such a spec is "bound": its untyped table is the planned list, not the
// kernel's; the kernel's untypeds are not compared with it. Instead a
// BindUntyped step, before any Retype from that entry, makes a real untyped
// of 2^size_bits (the step's) standing for the planned one:
//   - kBindRam: carved from the first non-device bootinfo untyped that has
//     room at its next offset aligned to 2^size_bits. Objects keep their
//     offsets from the untyped's start, because both are aligned to at
//     least every object's size; their physical addresses are not planned.
//   - kBindDevice: carved at exactly `paddr` from the device untyped that
//     contains [paddr, paddr + 2^size_bits), after padding untypeds that
//     move its watermark there.
// In a bound spec, untyped_count is the planned count and empty_start is at
// or after the kernel's (the tool leaves room for the most untypeds the
// kernel can hand out, CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS).
inline constexpr uint8_t kBindExact = 0;   // must equal the bootinfo entry at the same index
inline constexpr uint8_t kBindRam = 1;
inline constexpr uint8_t kBindDevice = 2;
struct ExpectedUntyped {
  uint64_t paddr;
  uint8_t size_bits;
  uint8_t is_device;  // 0 or 1
  uint8_t bind;       // kBind*; the same for every entry of a spec
  uint8_t reserved[5];
};

// Kernel object kinds, named here so that the spec does not depend on the
// seL4_ObjectType numbering of one kernel configuration; the initialiser
// (built against the kernel package's libsel4) maps each to its number.
enum class ObjectKind : uint32_t {
  Untyped = 1,       // size_bits = log2 bytes
  Tcb = 2,
  Endpoint = 3,
  Notification = 4,
  CNode = 5,         // size_bits = log2 of the number of slots (radix)
  SchedContext = 6,  // size_bits = log2 bytes (>= seL4_MinSchedContextBits)
  Reply = 7,
  VSpace = 8,        // AArch64 top-level table
  PageTable = 9,     // every non-root level on AArch64 and RISC-V; x86-64's last level
  SmallPage = 10,    // 4 KiB
  LargePage = 11,    // 2 MiB
  HugePage = 12,     // 1 GiB
  Vcpu = 13,         // hypervisor kernels only
  X86Pdpt = 14,      // x86-64 page directory pointer table (covers 512 GiB)
  X86PageDirectory = 15,  // x86-64 page directory (covers 1 GiB)
  // x86-64 VT-x guest address space (extended page tables, CONFIG_VTX).
  EptPml4 = 16,      // root (seL4_X86_EPTPML4Object; ASID-assigned like a VSpace)
  EptPdpt = 17,      // covers 512 GiB
  EptPd = 18,        // covers 1 GiB
  EptPt = 19,        // covers 2 MiB
  // x86-64 with an IOMMU (seL4_X86_IOPageTableObject). Numbered apart from
  // the others so that other object kinds can be added without a clash.
  IoPageTable = 24,
};
inline constexpr uint32_t kMaxObjectKind = 24;
// Whether `kind` is an ObjectKind number.
constexpr bool is_object_kind(uint32_t kind) { return (kind >= 1 && kind <= 19) || kind == 24; }

// Capability rights (Copy, Mint, MapFrame): a mask of these bits.
inline constexpr uint32_t kRightRead = 1u << 0;
inline constexpr uint32_t kRightWrite = 1u << 1;
inline constexpr uint32_t kRightGrant = 1u << 2;
inline constexpr uint32_t kRightGrantReply = 1u << 3;
inline constexpr uint32_t kRightsAll = 0xfu;

// Mapping attributes (MapFrame): a mask of these bits. Absent bits mean
// uncached (device) memory and execute-never.
inline constexpr uint64_t kMapCacheable = 1u << 0;
inline constexpr uint64_t kMapExecutable = 1u << 1;
inline constexpr uint64_t kMapAttributesAll = 0x3u;

// IrqIssue trigger.
inline constexpr uint32_t kTriggerLevel = 0;
inline constexpr uint32_t kTriggerEdge = 1;

// Step kinds. Every step is 64 bytes: a 4-byte kind, a 4-byte small field,
// then seven 64-bit fields whose meaning depends on the kind (the structs
// below). Unused fields are reserved (zero).
enum class StepKind : uint32_t {
  Retype = 1,               // RetypeStep: seL4_Untyped_Retype
  Copy = 2,                 // CapStep: seL4_CNode_Copy (badge must be 0)
  Mint = 3,                 // CapStep: seL4_CNode_Mint
  AsidPoolAssign = 4,       // AsidPoolAssignStep: seL4_ARM_ASIDPool_Assign
  MapPageTable = 5,         // MapPageTableStep: seL4_ARM_PageTable_Map
  MapFrame = 6,             // MapFrameStep: seL4_ARM_Page_Map
  TcbConfigure = 7,         // TcbConfigureStep: seL4_TCB_Configure (MCS)
  TcbSetSchedParams = 8,    // TcbSetSchedParamsStep: seL4_TCB_SetSchedParams (MCS)
  TcbSetTimeoutEndpoint = 9,  // TcbPairStep: seL4_TCB_SetTimeoutEndpoint
  SchedControlConfigure = 10,  // SchedControlConfigureStep: seL4_SchedControl_ConfigureFlags
  TcbWriteRegisters = 11,   // TcbWriteRegistersStep: seL4_TCB_WriteRegisters
  TcbBindNotification = 12,  // TcbPairStep: seL4_TCB_BindNotification
  IrqIssue = 13,            // IrqIssueStep: seL4_IRQControl_GetTrigger
  IrqSetNotification = 14,  // TcbPairStep (a = handler): seL4_IRQHandler_SetNotification
  IrqAck = 15,              // SingleSlotStep: seL4_IRQHandler_Ack
  TcbResume = 16,           // SingleSlotStep: seL4_TCB_Resume
  TcbSetFlags = 17,         // TcbSetFlagsStep: seL4_TCB_SetFlags
  DomainSet = 18,           // DomainSetStep: seL4_DomainSet_Set (seL4_CapDomain)
  DomainScheduleConfigure = 19,  // DomainScheduleConfigureStep: seL4_DomainSet_ScheduleConfigure
  DomainScheduleSetStart = 20,   // DomainScheduleSetStartStep: seL4_DomainSet_ScheduleSetStart
  SchedContextBind = 21,    // TcbPairStep (a = SC, b = notification): seL4_SchedContext_Bind
  TcbSetName = 22,          // TcbSetNameStep: seL4_DebugNameThread (debug kernels; else a no-op)
  FillFrame = 23,           // FillFrameStep: map a frame in the initial task, copy, clean, unmap
  BindUntyped = 24,         // BindUntypedStep: a real untyped for a planned one (bound specs)
  // x86-64 devices.
  X86IoPortIssue = 25,      // X86IoPortIssueStep: seL4_X86_IOPortControl_Issue
  X86IrqIssue = 26,         // X86IrqIssueStep: seL4_IRQControl_GetIOAPIC / GetMSI
  X86BootInfoFill = 27,     // X86BootInfoFillStep: a bootinfo chunk into a frame
  X86IoMapFrame = 28,       // X86IoMapFrameStep: a frame into an IOMMU address space
  // Virtual machines (hypervisor kernels).
  VcpuSetTcb = 29,          // TcbPairStep (a = VCPU, b = TCB): seL4_ARM_VCPU_SetTCB / seL4_X86_VCPU_SetTCB
  // Fault reports (docs/debugging.md): recorded, never invoked.
  FaultPage = 30,           // FaultPageStep: a PD page the fault handler may read
  CrashDump = 31,           // CrashDumpStep: a PD whose faults are dumped
  // x86-64 virtual machines (VT-x kernels).
  EptMap = 32,              // EptMapStep: an EPT table or a frame into a guest's EPT
  TcbSetEptRoot = 33,       // TcbPairStep (a = TCB, b = EPT PML4): seL4_TCB_SetEPTRoot
};
inline constexpr uint32_t kMaxStepKind = 33;

// Step kinds are contiguous: 1..kMaxStepKind.
constexpr bool is_step_kind(uint32_t kind) { return kind >= 1 && kind <= kMaxStepKind; }

// The raw form every step is read as first.
struct Step {
  uint32_t kind;   // StepKind
  uint32_t small;  // kind-specific (object kind, rights, trigger) or 0
  uint64_t arg[7];
};

// Retype: `count` objects of `object_kind` from untyped number
// `untyped_index` (slot untyped_start + index) into root slots
// [dest_slot, dest_slot + count). The kernel allocates sequentially inside
// an untyped, aligning each object to its size, so the tool orders these
// steps to put every object at its planned physical address.
struct RetypeStep {
  uint32_t kind;
  uint32_t object_kind;  // ObjectKind
  uint64_t untyped_index;
  uint64_t size_bits;    // see ObjectKind; 0 for fixed-size objects
  uint64_t count;        // >= 1
  uint64_t dest_slot;
  uint64_t reserved[3];
};

// Copy / Mint: the cap in root slot src_slot into slot dest_index (resolved
// with dest_depth bits) of the CNode whose cap is in root slot
// dest_cnode_slot, with `rights`, and for Mint the badge (endpoints,
// notifications) or cap data (CNode caps: guard, seL4_CNode_CapData_new).
struct CapStep {
  uint32_t kind;
  uint32_t rights;  // kRight* mask
  uint64_t src_slot;
  uint64_t dest_cnode_slot;
  uint64_t dest_index;
  uint64_t dest_depth;  // 1..64
  uint64_t badge;       // Mint: badge or cap data; Copy: 0
  uint64_t reserved[2];
};

// AsidPoolAssign: the VSpace in root slot vspace_slot gets an ASID from the
// initial task's ASID pool (seL4_CapInitThreadASIDPool).
struct AsidPoolAssignStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t vspace_slot;
  uint64_t reserved[6];
};

// MapPageTable: the page table in pt_slot into the VSpace in vspace_slot,
// covering vaddr (default attributes). table_kind says which invocation
// maps it: 0 or PageTable (seL4_ARM/RISCV/X86_PageTable_Map), X86Pdpt
// (seL4_X86_PDPT_Map), X86PageDirectory (seL4_X86_PageDirectory_Map).
struct MapPageTableStep {
  uint32_t kind;
  uint32_t table_kind;  // ObjectKind of the table; 0 = PageTable
  uint64_t pt_slot;
  uint64_t vspace_slot;
  uint64_t vaddr;
  uint64_t reserved[4];
};

// MapFrame: the frame in frame_slot at vaddr (aligned to the frame's size)
// in the VSpace in vspace_slot. Every cap maps once: to map a frame into two
// VSpaces the steps first Copy its cap.
struct MapFrameStep {
  uint32_t kind;
  uint32_t rights;  // kRightRead / kRightWrite
  uint64_t frame_slot;
  uint64_t vspace_slot;
  uint64_t vaddr;
  uint64_t attributes;  // kMap* mask
  uint64_t reserved[3];
};

// EptMap: the object in object_slot into the guest address space whose
// EPT PML4 is in pml4_slot, at guest-physical address gpa. object_kind says
// which invocation: EptPdpt, EptPd, EptPt (seL4_X86_EPTPDPT_Map, _EPTPD_Map,
// _EPTPT_Map; rights and attributes 0) or SmallPage, LargePage, HugePage
// (seL4_X86_Page_MapEPT with rights and kMap* attributes; gpa aligned to
// the page).
struct EptMapStep {
  uint32_t kind;
  uint32_t object_kind;  // ObjectKind
  uint64_t object_slot;
  uint64_t pml4_slot;
  uint64_t gpa;
  uint64_t rights;       // frames: kRightRead / kRightWrite
  uint64_t attributes;   // frames: kMap* mask
  uint64_t reserved[2];
};

// TcbConfigure (MCS form): CSpace root cap (root slot) with its cap data
// (guard word, 0 when the cap already carries its guard), VSpace root, IPC
// buffer virtual address and the frame backing it.
struct TcbConfigureStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t tcb_slot;
  uint64_t cspace_slot;
  uint64_t cspace_data;
  uint64_t vspace_slot;
  uint64_t ipc_buffer_vaddr;  // 1 KiB aligned (seL4_IPCBufferSizeBits)
  uint64_t ipc_buffer_slot;
  uint64_t reserved1;
};

// TcbSetSchedParams (MCS): maximum controlled priority and priority
// (authority: the TCB in authority_slot, normally seL4_CapInitThreadTCB = 1),
// the scheduling context (0 = none: a passive thread) and the fault
// endpoint. On MCS the kernel copies the fault endpoint cap (looked up in the
// initial task's CSpace, badged by a Mint step) into the TCB; 0 = none.
struct TcbSetSchedParamsStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t tcb_slot;
  uint64_t authority_slot;
  uint64_t mcp;       // 0..255
  uint64_t priority;  // 0..255
  uint64_t sc_slot;
  uint64_t fault_ep_slot;
  uint64_t reserved1;
};

// SchedControlConfigure: seL4_SchedControl_ConfigureFlags on the sched
// control cap of core `core` (slot sched_control_start + core) for the
// scheduling context in sc_slot. Times in microseconds.
struct SchedControlConfigureStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t core;
  uint64_t sc_slot;
  uint64_t budget_us;
  uint64_t period_us;  // >= budget_us
  uint64_t extra_refills;
  uint64_t badge;
  uint64_t flags;      // seL4_SchedContextFlag mask (0 or seL4_SchedContext_Sporadic = 1)
};

// TcbWriteRegisters: pc and sp of a suspended thread (not resumed here).
struct TcbWriteRegistersStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t tcb_slot;
  uint64_t pc;
  uint64_t sp;  // 16-byte aligned
  uint64_t reserved[4];
};

// Two slots: TcbBindNotification (a = TCB, b = notification),
// SchedContextBind (a = a passive PD's SC, still bound to its TCB; b = the
// notification that TCB is bound to: the kernel hands the SC over to the
// notification when the PD first blocks after init()),
// TcbSetTimeoutEndpoint (a = TCB, b = endpoint), IrqSetNotification
// (a = IRQ handler, b = notification), VcpuSetTcb (a = VCPU, b = the TCB
// of the vCPU's thread; on a kernel without VCPUs the VCPU's Retype is
// already refused at decode).
struct TcbPairStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t a_slot;
  uint64_t b_slot;
  uint64_t reserved[5];
};

// TcbSetName: the kernel's debug name of a PD's thread is the name of PD
// number `pd_index` in the PD table, so kernel debug output (fault reports,
// the scheduler dump) names the PD. The PD table is checked before any
// step runs; a pd_index outside it is refused.
struct TcbSetNameStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t tcb_slot;
  uint64_t pd_index;
  uint64_t reserved[5];
};

// FillFrame: a frame bigger than the user image's 4 KiB pages (a prefilled
// MR with 2 MiB or 1 GiB pages) gets its bytes by copying. The initial task
// maps the frame (slot frame_slot, 2^size_bits bytes) read-write into its
// own VSpace at scratch_vaddr (aligned to the frame's size, in a part of
// its address space whose page tables the kernel made at boot and that
// nothing else uses), copies `length` bytes from src_vaddr (inside the
// user image) to offset dest_offset of the frame, cleans the data cache
// over them (a PD may map the frame uncached) and unmaps the frame again.
// Comes after the frame's Retype and before any mapping of it.
struct FillFrameStep {
  uint32_t kind;
  uint32_t size_bits;  // 12, 21 or 30
  uint64_t frame_slot;
  uint64_t src_vaddr;
  uint64_t length;     // >= 1; dest_offset + length <= 2^size_bits
  uint64_t dest_offset;
  uint64_t scratch_vaddr;
  uint64_t reserved[2];
};

// BindUntyped (bound specs only, see ExpectedUntyped): planned untyped
// `untyped_index` becomes a real untyped of 2^size_bits bytes (at most the
// planned size, at least everything planned in it), made by retyping
// Untyped objects into the free root slots [carve_slot, carve_slot +
// carve_count): the bound untyped into carve_slot, padding (kBindDevice
// only) into the slots after it. Steps come before every Retype; kBindRam
// ones in descending size_bits (so carving loses nothing to alignment),
// kBindDevice ones in ascending paddr.
struct BindUntypedStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t untyped_index;
  uint64_t size_bits;
  uint64_t carve_slot;
  uint64_t carve_count;  // 1 for kBindRam; 1 + room for padding for kBindDevice
  uint64_t reserved[3];
};

// FaultPage (recorded, not invoked): the 4 KiB page at `vaddr` of PD
// `pd_index` is backed by the frame whose cap (an unmapped copy, for the
// initial task's use only) is in root slot frame_slot. When that PD faults
// and the fault reaches the initial task, it maps the copy read-only into a
// window page of its own to read it: kFaultPageStack pages are where the
// backtrace's frame records are looked for, kFaultPageDump pages go into the
// PD's crash dump (if a CrashDump step names the PD).
inline constexpr uint32_t kFaultPageStack = 1u << 0;
inline constexpr uint32_t kFaultPageDump = 1u << 1;
inline constexpr uint32_t kFaultPageFlagsAll = 0x3u;
struct FaultPageStep {
  uint32_t kind;
  uint32_t flags;  // kFaultPage* mask, not 0
  uint64_t pd_index;
  uint64_t frame_slot;
  uint64_t vaddr;  // 4 KiB aligned
  uint64_t reserved[4];
};

// CrashDump (recorded, not invoked): a fault of PD `pd_index` that reaches
// the initial task is followed by a crash dump on the console (registers and
// the PD's kFaultPageDump pages, runtime/shared/crash_dump.h).
struct CrashDumpStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t pd_index;
  uint64_t reserved[6];
};

// IrqIssue: an IRQHandler cap for `irq` with `trigger` from the IRQ control
// cap into slot dest_index (depth dest_depth) of the CNode in root slot
// dest_cnode_slot.
struct IrqIssueStep {
  uint32_t kind;
  uint32_t trigger;  // kTriggerLevel / kTriggerEdge
  uint64_t irq;
  uint64_t dest_cnode_slot;
  uint64_t dest_index;
  uint64_t dest_depth;
  uint64_t reserved[3];
};

// One slot: IrqAck (an IRQ handler), TcbResume (a TCB, started last).
struct SingleSlotStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t slot;
  uint64_t reserved[6];
};

// TcbSetFlags: clear, then set, seL4_TCBFlag bits of the TCB in tcb_slot.
inline constexpr uint64_t kTcbFlagFpuDisabled = 1;  // seL4_TCBFlag_fpuDisabled
inline constexpr uint64_t kTcbFlagsAll = 0x1;
struct TcbSetFlagsStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t tcb_slot;
  uint64_t clear;  // kTcbFlag* mask
  uint64_t set;    // kTcbFlag* mask
  uint64_t reserved[4];
};

// DomainSet: the TCB in tcb_slot joins `domain` (< the kernel's NUM_DOMAINS,
// which the tool checked against the kernel package).
struct DomainSetStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t tcb_slot;
  uint64_t domain;  // 0..255 (seL4_Uint8)
  uint64_t reserved[5];
};

// DomainScheduleConfigure: entry `index` of the kernel's domain schedule
// runs `domain` for `duration` timer ticks; domain 0 with duration 0 is an
// end marker. The tool orders these so that the entry the kernel is
// currently starting from is never made an end marker before a
// DomainScheduleSetStart moves the start away from it.
inline constexpr uint64_t kMaxDomainTicks = (uint64_t{1} << 56) - 1;
struct DomainScheduleConfigureStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t index;     // < NUM_DOMAIN_SCHEDULES
  uint64_t domain;    // 0..255
  uint64_t duration;  // ticks, <= kMaxDomainTicks; 0 only with domain 0
  uint64_t reserved[4];
};

// DomainScheduleSetStart: the domain scheduler restarts at entry `index`
// (switching domains at once); the last step of a spec that has it.
struct DomainScheduleSetStartStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t index;
  uint64_t reserved[6];
};

// X86IoPortIssue: an I/O port cap for ports [first_port, last_port] from
// the I/O port control cap (seL4_CapIOPortControl) into slot dest_index
// (depth dest_depth) of the CNode in root slot dest_cnode_slot.
struct X86IoPortIssueStep {
  uint32_t kind;
  uint32_t reserved0;
  uint64_t first_port;
  uint64_t last_port;  // first_port <= last_port <= 0xffff
  uint64_t dest_cnode_slot;
  uint64_t dest_index;
  uint64_t dest_depth;
  uint64_t reserved[2];
};

// X86IrqIssue: an IRQHandler cap for an IOAPIC pin or an MSI, delivered at
// CPU vector `vector` (the kernel's user vectors, 0-based: seL4 adds its
// own offset), into slot dest_index (depth dest_depth) of the CNode in root
// slot dest_cnode_slot.
//   source kX86IrqIoApic: a = IOAPIC index, b = pin, c = kX86Irq* flags;
//   source kX86IrqMsi: a = PCI address bus << 8 | dev << 3 | func,
//                      b = the MSI handle, c = 0.
inline constexpr uint32_t kX86IrqIoApic = 0;
inline constexpr uint32_t kX86IrqMsi = 1;
inline constexpr uint64_t kX86IrqLevel = 1u << 0;      // else edge-triggered
inline constexpr uint64_t kX86IrqActiveLow = 1u << 1;  // else active high
inline constexpr uint64_t kX86IrqFlagsAll = 0x3u;
inline constexpr uint64_t kX86IoApicPins = 24;  // seL4's IOAPIC_IRQ_LINES
struct X86IrqIssueStep {
  uint32_t kind;
  uint32_t source;  // kX86IrqIoApic / kX86IrqMsi
  uint64_t dest_cnode_slot;
  uint64_t dest_index;
  uint64_t dest_depth;
  uint64_t vector;
  uint64_t a, b, c;
};

// X86BootInfoFill: the initial task copies bytes [chunk_offset,
// chunk_offset + 4096) of the bootinfo chunk with id `chunk_id`
// (seL4_BootInfoHeader.id, SEL4_BOOTINFO_HEADER_X86_*; the header is part
// of the chunk) into the 4 KiB frame in frame_slot; what the chunk does not
// cover stays zero, so a chunk the kernel did not provide reads as a header
// of length 0. Comes after the frame's Retype and before any mapping of it.
inline constexpr uint32_t kMaxBootInfoChunkId = 6;  // SEL4_BOOTINFO_HEADER_FDT
struct X86BootInfoFillStep {
  uint32_t kind;
  uint32_t chunk_id;  // 1..kMaxBootInfoChunkId
  uint64_t frame_slot;
  uint64_t chunk_offset;  // a multiple of 4096
  uint64_t reserved[5];
};

// X86IoMapFrame: the 4 KiB frame in frame_slot at I/O virtual address
// iovaddr of the IOMMU address space whose IOSpace cap is in iospace_slot,
// with rights read/write (small). When iospace_data is not 0 the step first
// makes that cap: seL4_CapIOSpace minted with iospace_data
// (seL4_X86_IOSpace_CapData: domain id << 16 | bus << 8 | dev << 3 | func).
// The IOMMU's page-table depth is known only at boot
// (seL4_BootInfo.numIOPTLevels), so the I/O page tables come from a pool the
// tool retyped for the deepest case, root slots [iopt_pool_start,
// + iopt_pool_count): whenever the map finds no table, the next unused one
// of the pool is mapped at iovaddr and the map is tried again. Every
// X86IoMapFrame step of a spec names the same pool.
struct X86IoMapFrameStep {
  uint32_t kind;
  uint32_t rights;  // kRightRead / kRightWrite, not 0
  uint64_t frame_slot;
  uint64_t iospace_slot;
  uint64_t iovaddr;  // a multiple of 4096
  uint64_t iospace_data;
  uint64_t iopt_pool_start;
  uint64_t iopt_pool_count;
  uint64_t reserved;
};

// What the initialiser, as the monitor of top-level PDs, needs about a PD.
// Messages on SpecHeader::fault_ep_slot carry the badge of the sender's cap
// (docs/sel4-abi.md: the monitor badge, PD index + 1, on slot 2 of
// top-level PDs and slot 5 of passive PDs):
//   - a fault (non-zero label): reported with the PD's name, never replied
//     to, so the PD stays stopped;
//   - a child's fault sent on by its parent (debug configurations; the
//     parent's report badge, pd_abi.h): the child's fault message plus the
//     child id; the child is the PD whose fault_badge is the report key of
//     (parent, child id). Reported, then replied to (the parent goes on to
//     its fault());
//   - nothing else: a passive PD's scheduling context is handed to its
//     notification by the kernel (SchedContextBind step), not by a message.
struct PdEntry {
  uint32_t name_offset;  // in the string table
  uint32_t name_size;    // bytes, 1..kMaxNameBytes
  uint64_t fault_badge;  // unique among PdEntry; monitor badge, a child's report key, or 0 = none
  uint64_t tcb_slot;     // root slot of the PD's TCB
  uint64_t sc_slot;      // passive PDs: root slot of its SC; else 0 (informational)
  // Passive PDs: root slot of the notification its TCB is bound to (the
  // TcbBindNotification step); non-zero whenever sc_slot is. Else 0.
  uint64_t notification_slot;
  // The PD's fault symbol table (debug configurations, unless left out):
  // symbols_size bytes at symbols_offset (from the spec's start, 8-aligned,
  // after the string table). 0/0 = none: frames are printed as addresses.
  uint32_t symbols_offset;
  uint32_t symbols_size;
};

static_assert(sizeof(SpecHeader) == 128);
static_assert(offsetof(SpecHeader, total_size) == 8);
static_assert(offsetof(SpecHeader, untyped_count) == 16);
static_assert(offsetof(SpecHeader, untyped_offset) == 20);
static_assert(offsetof(SpecHeader, step_count) == 24);
static_assert(offsetof(SpecHeader, step_offset) == 28);
static_assert(offsetof(SpecHeader, pd_count) == 32);
static_assert(offsetof(SpecHeader, pd_offset) == 36);
static_assert(offsetof(SpecHeader, strings_size) == 40);
static_assert(offsetof(SpecHeader, strings_offset) == 44);
static_assert(offsetof(SpecHeader, fault_ep_slot) == 48);
static_assert(offsetof(SpecHeader, reply_slot) == 56);
static_assert(offsetof(SpecHeader, empty_start) == 64);
static_assert(offsetof(SpecHeader, empty_end) == 72);
static_assert(offsetof(SpecHeader, user_image_frames_start) == 80);
static_assert(offsetof(SpecHeader, user_image_frames_end) == 88);
static_assert(offsetof(SpecHeader, untyped_start) == 96);
static_assert(offsetof(SpecHeader, sched_control_start) == 104);
static_assert(offsetof(SpecHeader, user_image_vaddr) == 112);
static_assert(offsetof(SpecHeader, sched_control_count) == 120);

static_assert(sizeof(ExpectedUntyped) == 16);
static_assert(offsetof(ExpectedUntyped, size_bits) == 8);
static_assert(offsetof(ExpectedUntyped, is_device) == 9);
static_assert(offsetof(ExpectedUntyped, bind) == 10);

static_assert(sizeof(PdEntry) == 48);
static_assert(offsetof(PdEntry, name_size) == 4);
static_assert(offsetof(PdEntry, fault_badge) == 8);
static_assert(offsetof(PdEntry, tcb_slot) == 16);
static_assert(offsetof(PdEntry, sc_slot) == 24);
static_assert(offsetof(PdEntry, notification_slot) == 32);
static_assert(offsetof(PdEntry, symbols_offset) == 40 && offsetof(PdEntry, symbols_size) == 44);

inline constexpr size_t kStepSize = 64;
static_assert(sizeof(Step) == kStepSize && offsetof(Step, arg) == 8);
static_assert(sizeof(RetypeStep) == kStepSize && offsetof(RetypeStep, untyped_index) == 8 &&
              offsetof(RetypeStep, dest_slot) == 32);
static_assert(sizeof(CapStep) == kStepSize && offsetof(CapStep, src_slot) == 8 &&
              offsetof(CapStep, badge) == 40);
static_assert(sizeof(AsidPoolAssignStep) == kStepSize && offsetof(AsidPoolAssignStep, vspace_slot) == 8);
static_assert(sizeof(MapPageTableStep) == kStepSize && offsetof(MapPageTableStep, vaddr) == 24);
static_assert(sizeof(MapFrameStep) == kStepSize && offsetof(MapFrameStep, vaddr) == 24 &&
              offsetof(MapFrameStep, attributes) == 32);
static_assert(sizeof(TcbConfigureStep) == kStepSize && offsetof(TcbConfigureStep, ipc_buffer_slot) == 48);
static_assert(sizeof(TcbSetSchedParamsStep) == kStepSize &&
              offsetof(TcbSetSchedParamsStep, fault_ep_slot) == 48);
static_assert(sizeof(SchedControlConfigureStep) == kStepSize &&
              offsetof(SchedControlConfigureStep, flags) == 56);
static_assert(sizeof(TcbWriteRegistersStep) == kStepSize && offsetof(TcbWriteRegistersStep, sp) == 24);
static_assert(sizeof(TcbPairStep) == kStepSize && offsetof(TcbPairStep, b_slot) == 16);
static_assert(sizeof(EptMapStep) == kStepSize && offsetof(EptMapStep, gpa) == 24);
static_assert(sizeof(IrqIssueStep) == kStepSize && offsetof(IrqIssueStep, dest_depth) == 32);
static_assert(sizeof(SingleSlotStep) == kStepSize && offsetof(SingleSlotStep, slot) == 8);
static_assert(sizeof(TcbSetNameStep) == kStepSize && offsetof(TcbSetNameStep, pd_index) == 16);
static_assert(sizeof(FillFrameStep) == kStepSize && offsetof(FillFrameStep, scratch_vaddr) == 40);
static_assert(sizeof(BindUntypedStep) == kStepSize && offsetof(BindUntypedStep, carve_count) == 32);
static_assert(sizeof(TcbSetFlagsStep) == kStepSize && offsetof(TcbSetFlagsStep, set) == 24);
static_assert(sizeof(DomainSetStep) == kStepSize && offsetof(DomainSetStep, domain) == 16);
static_assert(sizeof(DomainScheduleConfigureStep) == kStepSize &&
              offsetof(DomainScheduleConfigureStep, duration) == 24);
static_assert(sizeof(X86IoPortIssueStep) == kStepSize && offsetof(X86IoPortIssueStep, dest_depth) == 40);
static_assert(sizeof(X86IrqIssueStep) == kStepSize && offsetof(X86IrqIssueStep, c) == 56);
static_assert(sizeof(X86BootInfoFillStep) == kStepSize && offsetof(X86BootInfoFillStep, chunk_offset) == 16);
static_assert(sizeof(X86IoMapFrameStep) == kStepSize && offsetof(X86IoMapFrameStep, iopt_pool_count) == 48);
static_assert(sizeof(DomainScheduleSetStartStep) == kStepSize &&
              offsetof(DomainScheduleSetStartStep, index) == 8);

}  // namespace microkit::initialiser_spec
