// Device models of the host board: a timer and a serial port.
//
// Each device is a 4 KiB register page: the MR whose physical address is the
// device's (docs/host-platform.md; the same numbers are in microkit.h). The
// launcher maps that MR's memfd too and looks at the registers whenever a PD
// enters the "kernel" (poll), so a register write takes effect at the
// writer's next libmicrokit call or entry-point return, deterministically.
// Time is virtual: it advances only when no PD is runnable, straight to the
// next timer expiry.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>

namespace microkit::host {

inline constexpr uint64_t kTimerPaddr = 0xfe000000, kSerialPaddr = 0xfe001000;
inline constexpr uint64_t kTimerIrq = 1, kSerialIrq = 2;

class Devices {
 public:
  void attach(uint64_t paddr, int fd) {
    if (paddr != kTimerPaddr && paddr != kSerialPaddr) return;
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return;
    (paddr == kTimerPaddr ? timer_ : serial_) = (volatile uint64_t*)p;
  }

  void set_now(uint64_t now) {
    if (timer_) timer_[0] = now;
  }

  // Acts on register writes (timer CMD, serial TX).
  void poll(uint64_t now, const std::function<void(const std::string&)>& print_line) {
    if (timer_ && timer_[3] != 0) {
      uint64_t cmd = timer_[3];
      if (cmd == 1) {
        armed_ = true;
        deadline_ = now + timer_[1];
        period_ = timer_[2];
      } else if (cmd == 2) {
        armed_ = false;
      }
      timer_[3] = 0;
    }
    if (serial_ && serial_[0] != 0) {
      uint64_t n = serial_[0] > 1024 ? 1024 : serial_[0];
      tx_.append((const char*)serial_ + 0x100, n);
      serial_[0] = 0;
      size_t nl;
      while ((nl = tx_.find('\n')) != std::string::npos) {
        print_line(tx_.substr(0, nl));
        tx_.erase(0, nl + 1);
      }
    }
  }

  std::optional<uint64_t> next_expiry() const {
    if (!armed_) return std::nullopt;
    return deadline_;
  }

  // Time has reached the deadline: count it, re-arm if periodic. True: raise the IRQ.
  bool fire(uint64_t now) {
    if (!armed_ || now < deadline_) return false;
    ++count_;
    if (timer_) timer_[4] = count_;
    if (period_) deadline_ += period_;
    else armed_ = false;
    return true;
  }

  void load_serial_input(const std::optional<std::string>& path) {
    if (!path) return;
    std::ifstream f(*path, std::ios::binary);
    rx_ = std::string(std::istreambuf_iterator<char>(f), {});
  }

  // Puts the next chunk of serial input into RX_BUF if the driver consumed
  // the last one. True: raise the serial IRQ.
  bool feed_serial_input() {
    if (!serial_ || rx_pos_ >= rx_.size() || serial_[1] != 0) return false;
    size_t n = std::min<size_t>(1024, rx_.size() - rx_pos_);
    memcpy((char*)serial_ + 0x500, rx_.data() + rx_pos_, n);
    rx_pos_ += n;
    serial_[1] = n;
    return true;
  }

 private:
  volatile uint64_t* timer_ = nullptr;
  volatile uint64_t* serial_ = nullptr;
  bool armed_ = false;
  uint64_t deadline_ = 0, period_ = 0, count_ = 0;
  std::string tx_, rx_;
  size_t rx_pos_ = 0;
};

}  // namespace microkit::host
