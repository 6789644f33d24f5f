// gic.cc: a GICv2 distributor as a guest sees it (ARM IHI0048B, chapter 4),
// plus the bookkeeping of which IRQ sits in which of a vCPU's list
// registers. The CPU interface is the hardware's GICV frame, passed through;
// only the distributor is emulated. Registers for IRQs 0-31 are banked per
// vCPU. Priorities keep their top 5 bits, as the list registers do.
#include "microkit_vmm_parts.h"

namespace {

using Gic = microkit_vmm_gic;
enum class Bits { enabled, pending, active, level };

constexpr unsigned kIrqs = MICROKIT_VMM_GIC_MAX_IRQS;
constexpr uint32_t kIidr = 0x0200143b;  // ARM GIC-400
constexpr uint8_t kIdRegs[12] = {0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1};  // 0xfd0..0xffc

uint32_t* bank(Gic* gic, unsigned cpu, Bits which, unsigned irq) {
  bool banked = irq < 32;
  microkit_vmm_gic_cpu* c = &gic->cpu[cpu];
  switch (which) {
    case Bits::enabled: return banked ? c->enabled : &gic->enabled[irq / 32];
    case Bits::pending: return banked ? c->pending : &gic->pending[irq / 32];
    case Bits::active: return banked ? c->active : &gic->active[irq / 32];
    case Bits::level: return banked ? c->level : &gic->level[irq / 32];
  }
  return nullptr;
}

bool test(Gic* gic, unsigned cpu, Bits which, unsigned irq) { return (*bank(gic, cpu, which, irq) >> (irq % 32)) & 1; }

void assign(Gic* gic, unsigned cpu, Bits which, unsigned irq, bool on) {
  uint32_t* w = bank(gic, cpu, which, irq);
  uint32_t bit = 1u << (irq % 32);
  *w = on ? (*w | bit) : (*w & ~bit);
}

uint8_t* priority(Gic* gic, unsigned cpu, unsigned irq) {
  return irq < 32 ? &gic->cpu[cpu].priority[irq] : &gic->priority[irq];
}

// A word of one set/clear register pair (ISENABLER/ICENABLER, ...).
uint32_t read_bits(Gic* gic, unsigned cpu, Bits which, unsigned first_irq) {
  return *bank(gic, cpu, which, first_irq);
}

void write_bits(Gic* gic, unsigned cpu, Bits which, unsigned first_irq, uint32_t value, bool set) {
  uint32_t* w = bank(gic, cpu, which, first_irq);
  *w = set ? (*w | value) : (*w & ~value);
}

uint32_t read_bytes(Gic* gic, unsigned cpu, uint32_t offset, unsigned size, uint32_t base, bool targets) {
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) {
    unsigned irq = offset - base + i;
    uint8_t byte = 0;
    if (irq < kIrqs && targets) byte = irq < 32 ? uint8_t(1u << cpu) : gic->targets[irq];
    if (irq < kIrqs && !targets) byte = *priority(gic, cpu, irq);
    value |= uint32_t(byte) << (8 * i);
  }
  return value;
}

void write_bytes(Gic* gic, unsigned cpu, uint32_t offset, unsigned size, uint32_t value, uint32_t base, bool targets) {
  for (unsigned i = 0; i < size; ++i) {
    unsigned irq = offset - base + i;
    auto byte = uint8_t(value >> (8 * i));
    if (irq >= kIrqs) continue;
    if (targets && irq >= 32) gic->targets[irq] = byte;  // SGI/PPI targets are read-only
    if (!targets) *priority(gic, cpu, irq) = byte & 0xf8;
  }
}

// GICD_SGIR: filter 0 = the listed CPUs, 1 = all others, 2 = the writer.
void send_sgi(Gic* gic, unsigned cpu, uint32_t value) {
  unsigned sgi = value & 0xf, filter = (value >> 24) & 3;
  uint32_t list = (value >> 16) & 0xff;
  if (filter == 1) list = ((1u << gic->num_cpus) - 1) & ~(1u << cpu);
  if (filter == 2) list = 1u << cpu;
  for (unsigned target = 0; target < gic->num_cpus; ++target) {
    if ((list >> target) & 1) microkit_vmm_gic_raise(gic, target, sgi);
  }
}

bool in_list_register(Gic* gic, unsigned cpu, unsigned irq) {
  // An SPI is in flight on any vCPU; SGIs and PPIs only on their own.
  for (unsigned c = 0; c < gic->num_cpus; ++c) {
    if (irq < 32 && c != cpu) continue;
    for (unsigned lr = 0; lr < gic->num_lrs; ++lr) {
      if (gic->cpu[c].lr[lr] == irq) return true;
    }
  }
  return false;
}

bool deliverable(Gic* gic, unsigned cpu, unsigned irq) {
  if (!test(gic, cpu, Bits::pending, irq) || !test(gic, cpu, Bits::enabled, irq)) return false;
  if (irq >= 32 && ((gic->targets[irq] >> cpu) & 1) == 0) return false;
  return !in_list_register(gic, cpu, irq);
}

int free_list_register(Gic* gic, unsigned cpu) {
  for (unsigned lr = 0; lr < gic->num_lrs; ++lr) {
    if (gic->cpu[cpu].lr[lr] == MICROKIT_VMM_GIC_NO_IRQ) return int(lr);
  }
  return -1;
}

uint32_t read_register(Gic* gic, unsigned cpu, uint32_t offset, unsigned size) {
  if (offset == 0x000) return gic->ctlr;
  if (offset == 0x004) return ((kIrqs / 32) - 1) | ((gic->num_cpus - 1) << 5);
  if (offset == 0x008) return kIidr;
  if (offset >= 0x080 && offset < 0x080 + kIrqs / 8) return gic->group[(offset - 0x080) / 4];
  unsigned word_irq = ((offset & 0x7f) / 4) * 32;
  if (offset >= 0x100 && offset < 0x200 && word_irq < kIrqs) return read_bits(gic, cpu, Bits::enabled, word_irq);
  if (offset >= 0x200 && offset < 0x300 && word_irq < kIrqs) return read_bits(gic, cpu, Bits::pending, word_irq);
  if (offset >= 0x300 && offset < 0x400 && word_irq < kIrqs) return read_bits(gic, cpu, Bits::active, word_irq);
  if (offset >= 0x400 && offset < 0x800) return read_bytes(gic, cpu, offset, size, 0x400, false);
  if (offset >= 0x800 && offset < 0xc00) return read_bytes(gic, cpu, offset, size, 0x800, true);
  if (offset >= 0xc00 && offset < 0xd00 && (offset - 0xc00) / 4 < kIrqs / 16) return gic->config[(offset - 0xc00) / 4];
  if (offset >= 0xfd0 && offset < 0x1000) return kIdRegs[(offset - 0xfd0) / 4];
  return 0;  // reserved and write-only registers read as zero
}

void write_register(Gic* gic, unsigned cpu, uint32_t offset, unsigned size, uint32_t value) {
  unsigned word_irq = ((offset & 0x7f) / 4) * 32;
  bool set = (offset & 0x80) == 0;  // set registers first, clear registers 0x80 on
  if (offset == 0x000) gic->ctlr = value & 1;
  else if (offset >= 0x080 && offset < 0x080 + kIrqs / 8) gic->group[(offset - 0x080) / 4] = value;
  else if (offset >= 0x100 && offset < 0x200 && word_irq < kIrqs) write_bits(gic, cpu, Bits::enabled, word_irq, value, set);
  else if (offset >= 0x200 && offset < 0x300 && word_irq < kIrqs) write_bits(gic, cpu, Bits::pending, word_irq, value, set);
  else if (offset >= 0x300 && offset < 0x400 && word_irq < kIrqs) write_bits(gic, cpu, Bits::active, word_irq, value, set);
  else if (offset >= 0x400 && offset < 0x800) write_bytes(gic, cpu, offset, size, value, 0x400, false);
  else if (offset >= 0x800 && offset < 0xc00) write_bytes(gic, cpu, offset, size, value, 0x800, true);
  else if (offset >= 0xc00 && offset < 0xd00 && (offset - 0xc00) / 4 < kIrqs / 16) gic->config[(offset - 0xc00) / 4] = value;
  else if (offset == 0xf00) send_sgi(gic, cpu, value);
}

}  // namespace

extern "C" void microkit_vmm_gic_init(Gic* gic, unsigned num_cpus, unsigned num_lrs) {
  *gic = Gic{};
  gic->num_cpus = num_cpus == 0 ? 1 : (num_cpus > MICROKIT_VMM_GIC_MAX_CPUS ? MICROKIT_VMM_GIC_MAX_CPUS : num_cpus);
  gic->num_lrs = num_lrs > MICROKIT_VMM_GIC_MAX_LRS ? MICROKIT_VMM_GIC_MAX_LRS : num_lrs;
  for (auto& c : gic->cpu) {
    for (auto& lr : c.lr) lr = MICROKIT_VMM_GIC_NO_IRQ;
  }
}

extern "C" void microkit_vmm_gic_reset(Gic* gic) { microkit_vmm_gic_init(gic, gic->num_cpus, gic->num_lrs); }

extern "C" uint32_t microkit_vmm_gic_read(Gic* gic, unsigned cpu, uint32_t offset, unsigned size) {
  if (cpu >= gic->num_cpus || offset >= MICROKIT_VMM_GICD_SIZE) return 0;
  if (offset >= 0x400 && offset < 0xc00) return read_register(gic, cpu, offset, size);  // byte-addressable
  uint32_t value = read_register(gic, cpu, offset & ~3u, 4);
  return size >= 4 ? value : (value >> (8 * (offset & 3))) & ((1u << (8 * size)) - 1);
}

extern "C" void microkit_vmm_gic_write(Gic* gic, unsigned cpu, uint32_t offset, unsigned size, uint32_t value) {
  if (cpu >= gic->num_cpus || offset >= MICROKIT_VMM_GICD_SIZE) return;
  if (offset >= 0x400 && offset < 0xc00) return write_register(gic, cpu, offset, size, value);
  write_register(gic, cpu, offset & ~3u, 4, value);
}

extern "C" void microkit_vmm_gic_raise(Gic* gic, unsigned cpu, unsigned irq) {
  if (cpu >= gic->num_cpus || irq >= kIrqs) return;
  assign(gic, cpu, Bits::pending, irq, true);
}

extern "C" void microkit_vmm_gic_set_level(Gic* gic, unsigned cpu, unsigned irq, int high) {
  if (cpu >= gic->num_cpus || irq >= kIrqs) return;
  assign(gic, cpu, Bits::level, irq, high != 0);
  // A level line is pending while high, unless the guest is handling it (in a list register).
  assign(gic, cpu, Bits::pending, irq, high != 0 && !in_list_register(gic, cpu, irq));
}

extern "C" int microkit_vmm_gic_next_injection(Gic* gic, unsigned cpu, microkit_vmm_gic_injection* out) {
  if (cpu >= gic->num_cpus || (gic->ctlr & 1) == 0) return 0;
  int lr = free_list_register(gic, cpu);
  if (lr < 0) return 0;
  unsigned best = kIrqs;
  for (unsigned irq = 0; irq < kIrqs; ++irq) {
    if (!deliverable(gic, cpu, irq)) continue;
    if (best == kIrqs || *priority(gic, cpu, irq) < *priority(gic, cpu, best)) best = irq;
  }
  if (best == kIrqs) return 0;
  assign(gic, cpu, Bits::pending, best, false);
  gic->cpu[cpu].lr[lr] = uint16_t(best);
  out->irq = best;
  out->priority = *priority(gic, cpu, best) >> 3;
  out->lr = unsigned(lr);
  return 1;
}

extern "C" unsigned microkit_vmm_gic_eoi(Gic* gic, unsigned cpu, unsigned lr) {
  if (cpu >= gic->num_cpus || lr >= gic->num_lrs) return MICROKIT_VMM_GIC_NO_IRQ;
  unsigned irq = gic->cpu[cpu].lr[lr];
  gic->cpu[cpu].lr[lr] = MICROKIT_VMM_GIC_NO_IRQ;
  if (irq != MICROKIT_VMM_GIC_NO_IRQ && test(gic, cpu, Bits::level, irq)) assign(gic, cpu, Bits::pending, irq, true);
  return irq;
}
