// A PPC server written in C++: `protected` is a C++ keyword, so the entry
// point is microkit_protected (microkit.h gives it the symbol `protected`).
#include <microkit.h>

#include <cstdio>
#include <string>

void init() { std::printf("%s: C++ init\n", microkit_name); }

void notified(microkit_channel ch) { std::printf("%s: notified %u\n", microkit_name, ch); }

microkit_msginfo microkit_protected(microkit_channel ch, microkit_msginfo msginfo) {
  std::string who = "C++ server";
  seL4_Word sum = 0;
  for (seL4_Word i = 0; i < microkit_msginfo_get_count(msginfo); ++i)
    sum += microkit_mr_get(static_cast<seL4_Uint8>(i));
  std::printf("%s: %s got label %lu on %u\n", microkit_name, who.c_str(),
              static_cast<unsigned long>(microkit_msginfo_get_label(msginfo)), ch);
  microkit_mr_set(0, sum * 10);
  return microkit_msginfo_new(7, 1);
}
