# The build of a test system (tests/qemu/systems, tests/qemu/sdf-features):
# what every example's Makefile does, once. A test system's Makefile sets
# SYSTEM (the .system file), IMAGES (one ELF per C file of the same name)
# and, if its image needs more, EXTRA_IMAGE_INPUTS (and MICROKIT_FLAGS, more
# options for the tool, e.g. --gdb-stub), then includes this file.
#
#   make BUILD_DIR=build MICROKIT_SDK=/path/to/sdk MICROKIT_BOARD=<board> MICROKIT_CONFIG=debug
#   make ... run    host: run it as Linux processes; a QEMU board: boot it in QEMU (microkit run)
#
# MICROKIT_BOARD=host builds the PDs with the host C compiler against the
# SDK's host port of libmicrokit. Any other board builds them with the
# cross toolchain (TOOLCHAIN, e.g. aarch64-linux-gnu or aarch64-none-elf)
# and microkit.ld, and the tool makes a bootable image.
TEST_SYSTEM_MK := $(lastword $(MAKEFILE_LIST))
ifeq ($(strip $(BUILD_DIR)),)
$(error BUILD_DIR must be specified)
endif

ifeq ($(strip $(MICROKIT_SDK)),)
$(error MICROKIT_SDK must be specified)
endif

ifeq ($(strip $(MICROKIT_BOARD)),)
$(error MICROKIT_BOARD must be specified)
endif

ifeq ($(strip $(MICROKIT_CONFIG)),)
$(error MICROKIT_CONFIG must be specified)
endif

$(shell mkdir -p $(BUILD_DIR))

BOARD_DIR := $(MICROKIT_SDK)/board/$(MICROKIT_BOARD)/$(MICROKIT_CONFIG)
MICROKIT_TOOL ?= $(MICROKIT_SDK)/bin/microkit

ifeq ($(MICROKIT_BOARD),host)
  # PD programs are position-independent Linux executables.
  CC := $(if $(TOOLCHAIN),$(TOOLCHAIN)-gcc,cc)
  LINK := $(CC)
  CFLAGS := -DMICROKIT_HOST -fPIE -g -O2 -Wall -Wno-unused-function -Werror -I$(BOARD_DIR)/include
  LDFLAGS := -pie -L$(BOARD_DIR)/lib
  LIBS := -lmicrokit -lstdc++
else
  ARCH := ${shell grep 'CONFIG_SEL4_ARCH  ' $(BOARD_DIR)/include/kernel/gen_config.h | cut -d' ' -f4}
  ifeq ($(ARCH),aarch64)
    TOOLCHAIN ?= aarch64-none-elf
    CFLAGS_ARCH := -mstrict-align -mno-omit-leaf-frame-pointer
  else ifeq ($(ARCH),riscv64)
    TOOLCHAIN ?= riscv64-unknown-elf
    CFLAGS_ARCH := -march=rv64imafdc_zicsr_zifencei -mabi=lp64d
  else ifeq ($(ARCH),x86_64)
    TOOLCHAIN ?= x86_64-linux-gnu
    CFLAGS_ARCH := -march=x86-64 -mtune=generic -mno-omit-leaf-frame-pointer
  else
    $(error Unsupported ARCH '$(ARCH)' (read from $(BOARD_DIR)/include/kernel/gen_config.h))
  endif
  CC := $(TOOLCHAIN)-gcc
  LINK := $(TOOLCHAIN)-ld
  CFLAGS := -nostdlib -ffreestanding -g -O3 -fno-omit-frame-pointer -Wall -Wno-unused-function -Werror -I$(BOARD_DIR)/include $(CFLAGS_ARCH)
  LDFLAGS := -L$(BOARD_DIR)/lib -z noexecstack
  LIBS := -lmicrokit -Tmicrokit.ld
endif

IMAGE_FILE := $(BUILD_DIR)/loader.img
REPORT_FILE := $(BUILD_DIR)/report.txt
SEARCH_PATHS := --search-path $(BUILD_DIR) --search-path .

.PHONY: all run

ifeq ($(MICROKIT_BOARD),host)
all: $(addprefix $(BUILD_DIR)/, $(IMAGES))

run: all
	$(MICROKIT_TOOL) run $(SYSTEM) --board host --config $(MICROKIT_CONFIG) $(SEARCH_PATHS)
else
all: $(IMAGE_FILE)

$(IMAGE_FILE) $(REPORT_FILE): $(addprefix $(BUILD_DIR)/, $(IMAGES)) $(SYSTEM) $(EXTRA_IMAGE_INPUTS)
	$(MICROKIT_TOOL) $(SYSTEM) $(SEARCH_PATHS) --board $(MICROKIT_BOARD) --config $(MICROKIT_CONFIG) -o $(IMAGE_FILE) -r $(REPORT_FILE) $(MICROKIT_FLAGS)

# `microkit run` boots the image with the board's QEMU command (its board
# file); RUN_ARGS may add e.g. --timeout 30 or "-- -smp 4".
run: $(IMAGE_FILE)
	$(MICROKIT_TOOL) run $(SYSTEM) $(SEARCH_PATHS) --board $(MICROKIT_BOARD) --config $(MICROKIT_CONFIG) -o $(IMAGE_FILE) $(RUN_ARGS)
endif

$(BUILD_DIR)/%.o: %.c $(wildcard *.h) Makefile $(TEST_SYSTEM_MK)
	$(CC) -c $(CFLAGS) $< -o $@

$(BUILD_DIR)/%.elf: $(BUILD_DIR)/%.o
	$(LINK) $(LDFLAGS) $^ $(LIBS) -o $@
