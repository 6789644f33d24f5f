// vmm.cc: the seL4 side of the VMM library (microkit_vmm.h): guest memory
// loading, vCPU start and restart, fault dispatch, and IRQ injection. The
// decisions come from the pure parts (microkit_vmm_parts.h); this file only
// reads and writes vCPU state and makes the kernel calls.
#include "microkit_vmm.h"

namespace {

constexpr uint64_t kSpsrEl1hMasked = 0x3c5;  // EL1h with D, A, I, F masked: the boot protocol's state
// The vCPU's SCTLR_EL1 at creation (seL4: RES1 bits, CP15BEN, nTWI, nTWE, UCT, UCI): MMU and caches off.
constexpr uint64_t kSctlrReset = 0x30d00800 | (1u << 5) | (1u << 15) | (1u << 16) | (1u << 18) | (1u << 26);
constexpr uint64_t kMpidrRes1 = 1ull << 31;
constexpr uint64_t kDtbReserve = 0x200000;  // the DTB's slot at the top of RAM (the kernel maps at most 2 MiB of it)
constexpr seL4_Word kRegCount = sizeof(seL4_UserContext) / sizeof(seL4_Word);

void say(const char* a, const char* b = nullptr) {
  microkit_dbg_puts("vmm: ");
  microkit_dbg_puts(a);
  if (b != nullptr) microkit_dbg_puts(b);
  microkit_dbg_puts("\n");
}

void say_hex(const char* what, uint64_t v) {
  microkit_dbg_puts("vmm: ");
  microkit_dbg_puts(what);
  microkit_dbg_puts(" 0x");
  microkit_dbg_put32(seL4_Uint32(v >> 32));
  microkit_dbg_puts("_");
  microkit_dbg_put32(seL4_Uint32(v));
  microkit_dbg_puts("\n");
}

// Word copies: the images are tens of MiB and the library has no fast memcpy.
void copy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  auto* s = static_cast<const uint8_t*>(src);
  if (((uintptr_t(d) | uintptr_t(s)) & 7) == 0) {
    for (; n >= 8; n -= 8, d += 8, s += 8) *reinterpret_cast<uint64_t*>(d) = *reinterpret_cast<const uint64_t*>(s);
  }
  while (n-- != 0) *d++ = *s++;
}

// The first `count` words of the vCPU's seL4_UserContext (pc first): an
// exit reads and writes only as far as the register it needs.
seL4_UserContext read_regs(unsigned vcpu, seL4_Word count = kRegCount) {
  seL4_UserContext regs{};
  seL4_Error err = seL4_TCB_ReadRegisters(BASE_VM_TCB_CAP + vcpu, seL4_False, 0, count, &regs);
  if (err != seL4_NoError) say("reading a vCPU's registers failed");
  return regs;
}

void write_regs(unsigned vcpu, seL4_UserContext* regs, seL4_Word count = kRegCount) {
  seL4_Error err = seL4_TCB_WriteRegisters(BASE_VM_TCB_CAP + vcpu, seL4_False, 0, count, regs);
  if (err != seL4_NoError) say("writing a vCPU's registers failed");
}

// Register xN of a seL4_UserContext, whose order is not x0..x30 (frame
// registers first: x0-x8, x16-x18, x29, x30, then x9-x15, x19-x28). x31 is
// xzr: nullptr.
seL4_Word* gpr(seL4_UserContext* regs, unsigned n) {
  seL4_Word* const table[31] = {
      &regs->x0,  &regs->x1,  &regs->x2,  &regs->x3,  &regs->x4,  &regs->x5,  &regs->x6,  &regs->x7,
      &regs->x8,  &regs->x9,  &regs->x10, &regs->x11, &regs->x12, &regs->x13, &regs->x14, &regs->x15,
      &regs->x16, &regs->x17, &regs->x18, &regs->x19, &regs->x20, &regs->x21, &regs->x22, &regs->x23,
      &regs->x24, &regs->x25, &regs->x26, &regs->x27, &regs->x28, &regs->x29, &regs->x30};
  return n <= 30 ? table[n] : nullptr;
}

// How many words of seL4_UserContext reach register xN (1: pc only, for xzr).
seL4_Word words_through(unsigned n) {
  if (n <= 8) return 3 + n + 1;                 // pc, sp, spsr, x0..x8
  if (n >= 16 && n <= 18) return 12 + (n - 16) + 1;
  if (n == 29 || n == 30) return 15 + (n - 29) + 1;
  if (n <= 15) return 17 + (n - 9) + 1;         // x9..x15
  if (n <= 28) return 24 + (n - 19) + 1;        // x19..x28
  return 1;
}
#define VMM_WORD(field) (__builtin_offsetof(seL4_UserContext, field) / sizeof(seL4_Word))
static_assert(VMM_WORD(x0) == 3 && VMM_WORD(x8) == 11 && VMM_WORD(x16) == 12 && VMM_WORD(x18) == 14 &&
                  VMM_WORD(x29) == 15 && VMM_WORD(x30) == 16 && VMM_WORD(x9) == 17 && VMM_WORD(x15) == 23 &&
                  VMM_WORD(x19) == 24 && VMM_WORD(x28) == 33,
              "words_through assumes libsel4's AArch64 seL4_UserContext order");
#undef VMM_WORD
constexpr seL4_Word kWordsThroughX3 = 7;  // pc, sp, spsr, x0..x3: a PSCI call's arguments

void wake(microkit_vmm* vmm, unsigned vcpu);
void wake_due(microkit_vmm* vmm);

// Fills free list registers of `vcpu` with pending IRQs.
void inject_pending(microkit_vmm* vmm, unsigned vcpu) {
  microkit_vmm_gic_injection inj;
  while (microkit_vmm_gic_next_injection(&vmm->gic, vcpu, &inj)) {
    if ((vmm->parked >> vcpu) & 1) ++vmm->stats[vcpu].woken_by_irq;
    wake(vmm, vcpu);  // an IRQ ends its wfi
    seL4_Error err = seL4_ARM_VCPU_InjectIRQ(BASE_VCPU_CAP + vcpu, seL4_Uint16(inj.irq), seL4_Uint8(inj.priority), 0,
                                             seL4_Uint8(inj.lr));
    if (err != seL4_NoError) {
      // The list register still holds an IRQ the guest has not finished: try again after its EOI.
      microkit_vmm_gic_eoi(&vmm->gic, vcpu, inj.lr);
      microkit_vmm_gic_raise(&vmm->gic, vcpu, inj.irq);
      return;
    }
  }
}

void inject_all(microkit_vmm* vmm) {
  for (unsigned v = 0; v < vmm->config.num_vcpus; ++v) {
    if ((vmm->cpus_on >> v) & 1) inject_pending(vmm, v);
  }
}

void run_eoi_hooks(microkit_vmm* vmm, unsigned vcpu, unsigned irq) {
  if (irq < 32 && ((vmm->vppi_pending[vcpu] >> irq) & 1)) {
    vmm->vppi_pending[vcpu] &= ~(1u << irq);
    microkit_vcpu_arm_ack_vppi(vcpu, irq);
  }
  for (unsigned i = 0; i < vmm->num_hooks; ++i) {
    if (vmm->hooks[i].irq == irq) vmm->hooks[i].hook(vmm, vcpu, irq, vmm->hooks[i].ctx);
  }
}

// ---- The distributor as a device ----

uint64_t gicd_read(microkit_vmm* vmm, void*, unsigned vcpu, uint64_t offset, unsigned size) {
  return microkit_vmm_gic_read(&vmm->gic, vcpu, uint32_t(offset), size);
}

void gicd_write(microkit_vmm* vmm, void*, unsigned vcpu, uint64_t offset, unsigned size, uint64_t value) {
  microkit_vmm_gic_write(&vmm->gic, vcpu, uint32_t(offset), size, uint32_t(value));
  inject_all(vmm);  // an enable or an SGI may make an IRQ deliverable
}

// ---- vCPU start ----

void start_vcpu(microkit_vmm* vmm, unsigned vcpu, uint64_t entry, uint64_t x0) {
  seL4_UserContext regs{};
  regs.pc = entry;
  regs.spsr = kSpsrEl1hMasked;
  regs.x0 = x0;
  write_regs(vcpu, &regs);
  microkit_vcpu_arm_write_reg(vcpu, seL4_VCPUReg_SCTLR, kSctlrReset);
  microkit_vcpu_arm_write_reg(vcpu, seL4_VCPUReg_VMPIDR_EL2, kMpidrRes1 | vcpu);
  vmm->cpus_on |= 1u << vcpu;
  microkit_vcpu_restart(vcpu, entry);
}

void stop_all(microkit_vmm* vmm) {
  for (unsigned v = 0; v < vmm->config.num_vcpus; ++v) microkit_vcpu_stop(v);
  vmm->cpus_on = 0;
  vmm->parked = 0;
}

// ---- Faults ----

const microkit_vmm_device* device_at(microkit_vmm* vmm, uint64_t gpa) {
  for (unsigned i = 0; i < vmm->num_devices; ++i) {
    const microkit_vmm_device* d = &vmm->devices[i];
    if (gpa >= d->base && gpa - d->base < d->size) return d;
  }
  return nullptr;
}

seL4_Bool data_abort(microkit_vmm* vmm, unsigned vcpu) {
  uint64_t addr = microkit_mr_get(seL4_VMFault_Addr), esr = microkit_mr_get(seL4_VMFault_FSR);
  microkit_vmm_access access;
  const microkit_vmm_device* device = device_at(vmm, addr);
  if (microkit_mr_get(seL4_VMFault_PrefetchFault) != 0 || device == nullptr ||
      !microkit_vmm_data_abort_decode(esr, &access)) {
    say_hex("guest fault it cannot handle, address", addr);
    say_hex("  pc", microkit_mr_get(seL4_VMFault_IP));
    say_hex("  esr", esr);
    return seL4_False;
  }
  seL4_Word count = words_through(access.reg);
  seL4_UserContext regs = read_regs(vcpu, count);
  seL4_Word* reg = gpr(&regs, access.reg);
  if (access.is_write) {
    device->write(vmm, device->ctx, vcpu, addr - device->base, access.size,
                  microkit_vmm_store_value(&access, reg != nullptr ? *reg : 0));
  } else {
    uint64_t raw = device->read(vmm, device->ctx, vcpu, addr - device->base, access.size);
    if (reg != nullptr) *reg = microkit_vmm_load_result(&access, raw);
  }
  regs.pc += 4;  // AArch64 instructions are 4 bytes (ESR.IL)
  write_regs(vcpu, &regs, count);
  return seL4_True;
}

seL4_Bool psci_call(microkit_vmm* vmm, unsigned vcpu, bool advance) {
  seL4_UserContext regs = read_regs(vcpu, kWordsThroughX3);
  microkit_vmm_psci_result r = microkit_vmm_psci_decide(regs.x0, regs.x1, regs.x2, regs.x3, vmm->cpus_on,
                                                        vmm->config.num_vcpus);
  switch (r.action) {
    case MICROKIT_VMM_PSCI_POWER_OFF:
      say("the guest switched itself off");
      if (vmm->config.on_power_off != nullptr) vmm->config.on_power_off(vmm); else stop_all(vmm);
      return seL4_False;
    case MICROKIT_VMM_PSCI_RESET:
      say("the guest asked for a reset");
      if (vmm->config.on_reset != nullptr) vmm->config.on_reset(vmm); else microkit_vmm_restart(vmm);
      return seL4_False;
    case MICROKIT_VMM_PSCI_STOP_CPU:
      vmm->cpus_on &= ~(1u << vcpu);
      vmm->parked &= ~(1u << vcpu);
      microkit_vcpu_stop(vcpu);
      wake_due(vmm);  // the others may all be parked: one of them keeps the time now
      return seL4_False;
    case MICROKIT_VMM_PSCI_START_CPU:
      start_vcpu(vmm, r.target, r.entry, r.context);
      break;
    case MICROKIT_VMM_PSCI_RESUME:
      break;
  }
  regs.x0 = seL4_Word(r.x0);
  if (advance) regs.pc += 4;
  write_regs(vcpu, &regs, kWordsThroughX3);
  return seL4_True;
}

seL4_Bool skip_instruction(unsigned vcpu) {
  seL4_UserContext regs = read_regs(vcpu, 1);
  regs.pc += 4;
  write_regs(vcpu, &regs, 1);
  return seL4_True;
}

// The physical counter (exported to user level in every configuration the
// library is built for; without it no vCPU is ever parked).
bool physical_now(uint64_t* now) {
#if defined(CONFIG_EXPORT_PCNT_USER)
  asm volatile("isb; mrs %0, cntpct_el0" : "=r"(*now));
  return true;
#else
  (void)now;
  return false;
#endif
}

uint64_t vtimer_deadline(unsigned vcpu) {
  return microkit_vmm_vtimer_deadline(microkit_vcpu_arm_read_reg(vcpu, seL4_VCPUReg_CNTV_CTL),
                                      microkit_vcpu_arm_read_reg(vcpu, seL4_VCPUReg_CNTV_CVAL),
                                      microkit_vcpu_arm_read_reg(vcpu, seL4_VCPUReg_CNTVOFF));
}

// A vCPU in wfi has nothing to do until an interrupt. While another vCPU
// runs it is parked: stopped (its fault is not answered) until an IRQ is
// injected for it or its virtual timer's deadline passes, which the VMM
// checks at every event (the running vCPUs' exits and ticks). The last
// running vCPU is answered at once: the kernel keeps no timer for a stopped
// vCPU, so someone's exits must keep the time. Answered at once, an idle
// vCPU re-enters the VMM without pause, and every one of those exits takes
// the kernel's lock that the other cores' vCPUs need for theirs.
seL4_Bool wait_for_interrupt(microkit_vmm* vmm, unsigned vcpu) {
  uint64_t now = 0, deadline = 0;  // 0, 0: not parked
  uint32_t others_running = vmm->cpus_on & ~vmm->parked & ~(1u << vcpu);
  if (others_running != 0 && physical_now(&now)) deadline = vtimer_deadline(vcpu);
  if (!microkit_vmm_may_park(vcpu, vmm->cpus_on, vmm->parked, deadline, now)) {
    ++vmm->stats[vcpu].wfi_answered;
    return skip_instruction(vcpu);
  }
  vmm->parked_pc[vcpu] = read_regs(vcpu, 1).pc + 4;
  vmm->wake_at[vcpu] = deadline;
  vmm->parked_at[vcpu] = now;
  vmm->parked |= 1u << vcpu;
  ++vmm->stats[vcpu].wfi_parked;
  microkit_vcpu_stop(vcpu);  // drops the unanswered fault: the reply object is free for the next one
  return seL4_False;
}

void wake(microkit_vmm* vmm, unsigned vcpu) {
  if (((vmm->parked >> vcpu) & 1) == 0) return;
  uint64_t now = 0;
  if (physical_now(&now)) {
    microkit_vmm_stats& st = vmm->stats[vcpu];
    if (now - vmm->parked_at[vcpu] > st.longest_park) st.longest_park = now - vmm->parked_at[vcpu];
    if (now > vmm->wake_at[vcpu] && now - vmm->wake_at[vcpu] > st.latest_wake) st.latest_wake = now - vmm->wake_at[vcpu];
  }
  vmm->parked &= ~(1u << vcpu);
  if ((vmm->cpus_on >> vcpu) & 1) microkit_vcpu_restart(vcpu, vmm->parked_pc[vcpu]);
}

// Parked vCPUs whose timer is due, and all of them once no vCPU runs (the
// last one left stopped its CPU, say): someone must keep the time.
void wake_due(microkit_vmm* vmm) {
  if (vmm->parked == 0) return;
  uint64_t now = 0;
  uint32_t due = vmm->parked;
  if ((vmm->cpus_on & ~vmm->parked) != 0 && physical_now(&now)) {
    due = microkit_vmm_due(vmm->wake_at, vmm->parked, vmm->config.num_vcpus, now);
  }
  for (unsigned v = 0; due != 0; ++v, due >>= 1) {
    if ((due & 1) == 0) continue;
    ++vmm->stats[v].woken_by_timer;
    wake(vmm, v);
  }
}

seL4_Bool vcpu_fault(microkit_vmm* vmm, unsigned vcpu) {
  uint64_t esr = microkit_mr_get(seL4_VCPUFault_HSR);
  switch (microkit_vmm_esr_class(esr)) {
    case MICROKIT_VMM_EC_SMC64: return ++vmm->stats[vcpu].psci, psci_call(vmm, vcpu, true);  // ELR at the SMC
    case MICROKIT_VMM_EC_WFI_WFE: return wait_for_interrupt(vmm, vcpu);
    default:
      say_hex("vCPU fault it cannot handle, esr", esr);
      return seL4_False;
  }
}

seL4_Bool vppi_event(microkit_vmm* vmm, unsigned vcpu) {
  auto irq = unsigned(microkit_mr_get(seL4_VPPIEvent_IRQ));
  if (irq >= 32) return seL4_True;
  vmm->vppi_pending[vcpu] |= 1u << irq;  // the kernel masks it until we ack, after the guest's EOI
  microkit_vmm_gic_raise(&vmm->gic, vcpu, irq);
  inject_pending(vmm, vcpu);
  return seL4_True;
}

seL4_Bool vgic_maintenance(microkit_vmm* vmm, unsigned vcpu) {
  seL4_Word lr = microkit_mr_get(seL4_VGICMaintenance_IDX);
  if (lr != seL4_Word(-1)) {
    unsigned irq = microkit_vmm_gic_eoi(&vmm->gic, vcpu, unsigned(lr));
    if (irq != MICROKIT_VMM_GIC_NO_IRQ) run_eoi_hooks(vmm, vcpu, irq);
  }
  inject_pending(vmm, vcpu);
  return seL4_True;
}

}  // namespace

extern "C" {

void microkit_vmm_init(microkit_vmm* vmm, const microkit_vmm_config* config) {
  *vmm = microkit_vmm{};
  vmm->config = *config;
  if (vmm->config.num_vcpus == 0 || vmm->config.num_vcpus > MICROKIT_VMM_MAX_VCPUS) vmm->config.num_vcpus = 1;
  microkit_vmm_gic_init(&vmm->gic, vmm->config.num_vcpus, vmm->config.num_list_registers);
  microkit_vmm_device gicd{config->gicd_gpa, MICROKIT_VMM_GICD_SIZE, nullptr, gicd_read, gicd_write};
  microkit_vmm_add_device(vmm, &gicd);
}

void* microkit_vmm_guest_ram(microkit_vmm* vmm, uint64_t gpa, size_t size) {
  const microkit_vmm_config& c = vmm->config;
  if (gpa < c.ram_gpa || gpa - c.ram_gpa > c.ram_size || size > c.ram_size - (gpa - c.ram_gpa)) return nullptr;
  return reinterpret_cast<void*>(c.ram_vaddr + (gpa - c.ram_gpa));
}

int microkit_vmm_load_linux(microkit_vmm* vmm, const void* kernel, size_t kernel_size, const void* dtb,
                            size_t dtb_size, const void* initrd, size_t initrd_size) {
  // 1. Where each piece goes: kernel low, DTB in the top 2 MiB, initrd just below it.
  microkit_vmm_image_info info;
  if (const char* error = microkit_vmm_image_parse(kernel, kernel_size, &info)) return say(error), -1;
  if (const char* error = microkit_vmm_dtb_check(dtb, dtb_size)) return say(error), -1;
  const microkit_vmm_config& c = vmm->config;
  uint64_t entry = microkit_vmm_image_load_address(c.ram_gpa, &info);
  uint64_t dtb_gpa = c.ram_gpa + c.ram_size - kDtbReserve;
  uint64_t initrd_gpa = (dtb_gpa - initrd_size) & ~uint64_t(0xfff);
  if (c.ram_size < kDtbReserve || dtb_size > kDtbReserve) return say("the DTB does not fit in guest RAM's top 2 MiB"), -1;
  if (entry + info.image_size > initrd_gpa) return say("the kernel (its image_size) and the initrd do not fit in guest RAM"), -1;
  // 2. Copy, then tell the kernel where the initrd is.
  void* dtb_copy = microkit_vmm_guest_ram(vmm, dtb_gpa, dtb_size);
  copy(microkit_vmm_guest_ram(vmm, entry, kernel_size), kernel, kernel_size);
  copy(dtb_copy, dtb, dtb_size);
  if (initrd_size != 0) {
    copy(microkit_vmm_guest_ram(vmm, initrd_gpa, initrd_size), initrd, initrd_size);
    const char* e1 = microkit_vmm_dtb_set_chosen(dtb_copy, "linux,initrd-start", initrd_gpa);
    const char* e2 = microkit_vmm_dtb_set_chosen(dtb_copy, "linux,initrd-end", initrd_gpa + initrd_size);
    if (e1 != nullptr || e2 != nullptr) return say("initrd: ", e1 != nullptr ? e1 : e2), -1;
  }
  vmm->kernel = kernel, vmm->kernel_size = kernel_size;
  vmm->dtb = dtb, vmm->dtb_size = dtb_size;
  vmm->initrd = initrd, vmm->initrd_size = initrd_size;
  vmm->entry_gpa = entry;
  vmm->dtb_gpa = dtb_gpa;
  return 0;
}

void microkit_vmm_start(microkit_vmm* vmm) { start_vcpu(vmm, 0, vmm->entry_gpa, vmm->dtb_gpa); }

void microkit_vmm_restart(microkit_vmm* vmm) {
  stop_all(vmm);
  // IRQs the guest never finished: ack them now, or the kernel keeps the vtimer masked.
  for (unsigned v = 0; v < vmm->config.num_vcpus; ++v) {
    for (unsigned lr = 0; lr < vmm->gic.num_lrs; ++lr) {
      unsigned irq = microkit_vmm_gic_eoi(&vmm->gic, v, lr);
      if (irq != MICROKIT_VMM_GIC_NO_IRQ) run_eoi_hooks(vmm, v, irq);
    }
    for (unsigned irq = 0; irq < 32; ++irq) {
      if ((vmm->vppi_pending[v] >> irq) & 1) microkit_vcpu_arm_ack_vppi(v, irq);
    }
    vmm->vppi_pending[v] = 0;
  }
  microkit_vmm_gic_reset(&vmm->gic);
  if (microkit_vmm_load_linux(vmm, vmm->kernel, vmm->kernel_size, vmm->dtb, vmm->dtb_size, vmm->initrd,
                              vmm->initrd_size) != 0) {
    return;
  }
  say("restarting the guest");
  microkit_vmm_start(vmm);
}

int microkit_vmm_add_device(microkit_vmm* vmm, const microkit_vmm_device* device) {
  if (vmm->num_devices == MICROKIT_VMM_MAX_DEVICES) return -1;
  vmm->devices[vmm->num_devices++] = *device;
  return 0;
}

int microkit_vmm_on_eoi(microkit_vmm* vmm, unsigned irq, microkit_vmm_eoi_hook hook, void* ctx) {
  if (vmm->num_hooks == MICROKIT_VMM_MAX_IRQ_HOOKS) return -1;
  vmm->hooks[vmm->num_hooks++] = {irq, hook, ctx};
  return 0;
}

static void ack_passthrough(microkit_vmm* vmm, unsigned, unsigned irq, void*) {
  for (unsigned i = 0; i < vmm->num_passthrough; ++i) {
    if (vmm->passthrough[i].irq != irq) continue;
    microkit_vmm_gic_set_level(&vmm->gic, 0, irq, 0);  // the device re-raises it through the kernel if still asserted
    microkit_irq_ack(vmm->passthrough[i].channel);
  }
}

int microkit_vmm_passthrough_irq(microkit_vmm* vmm, microkit_channel channel, unsigned irq) {
  if (vmm->num_passthrough == MICROKIT_VMM_MAX_IRQ_HOOKS || irq < 32) return -1;
  vmm->passthrough[vmm->num_passthrough++] = {channel, irq};
  return microkit_vmm_on_eoi(vmm, irq, ack_passthrough, nullptr);
}

int microkit_vmm_notified(microkit_vmm* vmm, microkit_channel channel) {
  for (unsigned i = 0; i < vmm->num_passthrough; ++i) {
    if (vmm->passthrough[i].channel != channel) continue;
    microkit_vmm_set_irq_level(vmm, vmm->passthrough[i].irq, 1);
    return 1;
  }
  return 0;
}

void microkit_vmm_set_irq_level(microkit_vmm* vmm, unsigned irq, int high) {
  microkit_vmm_gic_set_level(&vmm->gic, 0, irq, high);
  inject_all(vmm);
}

void microkit_vmm_raise_irq(microkit_vmm* vmm, unsigned vcpu, unsigned irq) {
  microkit_vmm_gic_raise(&vmm->gic, vcpu, irq);
  inject_all(vmm);
}

seL4_Bool microkit_vmm_fault(microkit_vmm* vmm, microkit_child child, microkit_msginfo msginfo,
                             microkit_msginfo* reply) {
  *reply = microkit_msginfo_new(0, 0);
  if (child >= vmm->config.num_vcpus) return say("fault from an unknown vCPU"), seL4_False;
  ++vmm->exits;
  wake_due(vmm);
  microkit_vmm_stats& stats = vmm->stats[child];
  switch (microkit_msginfo_get_label(msginfo)) {
    case seL4_Fault_VMFault: return ++stats.mmio, data_abort(vmm, child);
    case seL4_Fault_VCPUFault: return vcpu_fault(vmm, child);
    case seL4_Fault_VPPIEvent: return ++stats.vtimer, vppi_event(vmm, child);
    case seL4_Fault_VGICMaintenance: return ++stats.maintenance, vgic_maintenance(vmm, child);
    // seL4 takes a guest's HVC as a system call (x7 the number): an invalid
    // one arrives here with pc at the HVC. Guests should use SMC for PSCI:
    // an HVC whose x7 happens to name a real system call makes that call.
    case seL4_Fault_UnknownSyscall: return ++stats.psci, psci_call(vmm, child, true);
    default:
      say_hex("unexpected fault label", microkit_msginfo_get_label(msginfo));
      say_hex("  pc", read_regs(child).pc);
      return seL4_False;
  }
}

void microkit_vmm_print_stats(const microkit_vmm* vmm) {
  uint64_t hz = 0;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
  uint64_t ticks_per_ms = hz / 1000 != 0 ? hz / 1000 : 1;
  for (unsigned v = 0; v < vmm->config.num_vcpus; ++v) {
    const microkit_vmm_stats& st = vmm->stats[v];
    const struct { const char* name; uint64_t count; } counts[] = {
        {"mmio", st.mmio}, {"psci", st.psci}, {"vtimer", st.vtimer}, {"maintenance", st.maintenance},
        {"wfi answered", st.wfi_answered}, {"wfi parked", st.wfi_parked},
        {"woken by timer", st.woken_by_timer}, {"woken by irq", st.woken_by_irq},
        {"longest wait ms", st.longest_park / ticks_per_ms}, {"latest timer wake ms", st.latest_wake / ticks_per_ms}};
    microkit_dbg_puts("vmm: vcpu ");
    microkit_dbg_put32(v);
    for (const auto& c : counts) {
      microkit_dbg_puts(", ");
      microkit_dbg_puts(c.name);
      microkit_dbg_puts(" ");
      microkit_dbg_put32(seL4_Uint32(c.count));
    }
    microkit_dbg_puts("\n");
  }
}

}  // extern "C"
