#!/usr/bin/env python3
"""sample_cores.py: where an AArch64 image's cores spend their time in QEMU.

QEMU must run with its monitor on the serial line (`-serial mon:stdio`),
reading stdin from a FIFO and writing stdout to a log file. This script
switches to the monitor (Ctrl-A c), asks `info registers -a` N times,
switches back, and classifies each core's pc: the seL4 kernel (the function,
or "lock-spin <function>" when the pc is in the big kernel lock's wait
loop, `clh_lock_acquire`), a guest kernel at EL1 (its function, from the
guest's System.map when given), or user level.

  sample_cores.py --fifo RUN/in --log RUN/serial.log --kernel KERNEL_ELF \
                  [--guest-map System.map] [--samples 20] [--interval 0.3]

docs/virtual-machines.md ("Several cores") shows what it found.
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import time

TOOLS = 'aarch64-linux-gnu-'


def symbols(nm_lines, in_text=lambda kind: kind in 'tTwW'):
    table = []
    for line in nm_lines:
        parts = line.split()
        if len(parts) >= 3 and in_text(parts[1]):
            table.append((int(parts[0], 16), parts[2]))
    table.sort()
    return table


def lookup(table, pc, limit=1 << 20):
    starts = [a for a, _ in table]
    i = bisect.bisect_right(starts, pc) - 1
    return table[i][1] if i >= 0 and pc - starts[i] < limit else hex(pc)


def sample(fifo, log, count, interval):
    start = os.path.getsize(log)
    with open(fifo, 'w') as monitor:
        def send(text):
            monitor.write(text)
            monitor.flush()
        send('\x01c')  # to QEMU's monitor
        time.sleep(0.5)
        for _ in range(count):
            send('info registers -a\r')
            time.sleep(interval)
        send('\x01c')  # back to the serial line
    time.sleep(1)
    with open(log, 'rb') as f:
        f.seek(start)
        return f.read().decode('latin1')


def parse(text):
    """(cpu, pc, exception level) for each core of each sample."""
    out, cpu, pc = [], None, None
    for line in text.splitlines():
        m = re.match(r'CPU#(\d+)', line)
        if m:
            cpu, pc = int(m.group(1)), None
            continue
        m = re.search(r'PC=([0-9a-f]+)', line)
        if m and cpu is not None:
            pc = int(m.group(1), 16)
        m = re.search(r'PSTATE=\S+ \S+ (EL\d)', line)
        if m and cpu is not None and pc is not None:
            out.append((cpu, pc, m.group(1)))
            cpu = None
    return out


def kernel_names(kernel, pcs):
    """Outer function of each kernel pc; 'lock-spin' when inlined from the lock's wait."""
    nm = subprocess.run([TOOLS + 'nm', '-n', kernel], capture_output=True, text=True, check=True)
    table = symbols(nm.stdout.splitlines())
    a2l = subprocess.run([TOOLS + 'addr2line', '-f', '-e', kernel] + [hex(p) for p in pcs],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    names = {}
    for i, pc in enumerate(pcs):
        inner, outer = a2l[2 * i], lookup(table, pc)
        names[pc] = f'lock-spin {outer}' if inner.startswith('clh_') else f'{outer}:{inner}'
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--fifo', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--guest-map')
    ap.add_argument('--samples', type=int, default=20)
    ap.add_argument('--interval', type=float, default=0.3)
    args = ap.parse_args()

    found = parse(sample(args.fifo, args.log, args.samples, args.interval))
    if not found:
        sys.exit('no register dumps in the log: is QEMU running with -serial mon:stdio on that FIFO?')
    names = kernel_names(args.kernel, sorted({pc for _, pc, el in found if el == 'EL2'}))
    guest = symbols(open(args.guest_map)) if args.guest_map else []
    per_cpu = collections.defaultdict(collections.Counter)
    for cpu, pc, el in found:
        if el == 'EL2':
            where = 'kernel ' + names[pc]
        elif el == 'EL1':
            where = 'guest ' + (lookup(guest, pc, 0x10000) if guest else 'EL1')
        else:
            where = 'user level (EL0)'
        per_cpu[cpu][where] += 1
    for cpu in sorted(per_cpu):
        total = sum(per_cpu[cpu].values())
        print(f'core {cpu}: {total} samples')
        for where, n in per_cpu[cpu].most_common(8):
            print(f'  {100 * n / total:5.1f}%  {where}')


if __name__ == '__main__':
    main()
