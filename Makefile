# SPDX-License-Identifier: GPL-2.0
#
# mgre: multipoint GRE (DMVPN-compatible) for Linux.
#
#   make            build the module (kmod/mgre.ko), nhrpctl and the ip plugin
#   make deps       install the Debian packages needed (scripts/deps.sh)
#   make check      deps + build + unit tests + VM selftests (selftests/run.sh)
#   make unit       host-side unit tests (selftests/unit)
#   make fuzz       fuzzers (selftests/fuzz), FUZZ_SECONDS=60 each
#   make demo       boot the test VM and run scripts/demo.sh in it (PHASE=3: phase 3)
#   make bench      boot the test VM and run bench/run.sh, bench/spokes.sh and
#                   bench/multicast.sh in it
#   make vm-shell   interactive shell in the test VM (Ctrl-A x quits)
#   make debug-kernel  build (or reuse) the KASAN/lockdep/kmemleak kernel and
#                   mgre.ko for it (scripts/debug-kernel/build.sh; make check
#                   runs every VM test on it too)
#   make checkpatch checkpatch.pl --strict on kmod/
#   make sparse     sparse (C=2) on kmod/, fails on any kmod/ warning
#   make lint       shellcheck on the shell scripts
#   make install    install module, nhrpctl, mgre-quick and the ip plugin
#   make install-tools  the same without the module
#   make uninstall  remove what make install installed
#   make dkms-install   the module's sources to /usr/src/mgre-VERSION and
#                   DKMS (rebuilt at each kernel upgrade); dkms-uninstall
#   make deb        Debian packages mgre-dkms and nhrpctl in .build/deb
#   make dkms-tarball  DKMS builds the module for KVER into a binaries-only
#                   tarball in .build/deb (installed instead of a build)
#   make clean
#
# KDIR defaults to the newest /lib/modules/*/build (the kernel the test
# VM boots; the host's running kernel may have none), for "make install"
# to the running kernel's when it has one; KVER is read from it.

SHELL := /bin/bash
VERSION ?= 0.1

ifndef KDIR
ifneq ($(filter install,$(MAKECMDGOALS)),)
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
endif
endif
ifndef KDIR
KDIR := $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
endif
ifndef KVER
KVER := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif
BUILD := $(CURDIR)/.build
FUZZ_SECONDS ?= 60
TOOL_DIRS := tools/nhrpctl tools/iproute2 tools/mgre-quick
MULTIARCH := $(or $(shell gcc -print-multiarch 2>/dev/null),x86_64-linux-gnu)
# Debian's iproute2 loads link_<kind>.so from $IP_LIB_DIR, default:
IP_LIB_DIR ?= /usr/lib/$(MULTIARCH)/ip
PREFIX ?= /usr/local
KSRC_TAR := $(lastword $(sort $(wildcard /usr/src/linux-source-*.tar.xz)))
CHECKPATCH := $(BUILD)/ksrc/scripts/checkpatch.pl
VM_RUN := scripts/vm/run.sh

.PHONY: all module tools deps check unit fuzz demo bench vm-shell checkpatch \
	sparse lint install clean kdir-check debug-kernel install-tools \
	uninstall dkms-src dkms-install dkms-uninstall deb dkms-tarball

all: module tools

kdir-check:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "error: no kernel build tree (KDIR='$(KDIR)'): run 'make deps' or pass KDIR=" >&2; \
		exit 1; \
	fi

module: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	@set -e; for d in $(TOOL_DIRS); do \
		if [ -f $$d/Makefile ]; then \
			$(MAKE) -C $$d; \
		else \
			echo "make: skipping $$d (no Makefile yet)"; \
		fi; \
	done

deps:
	scripts/deps.sh

check:
	selftests/run.sh

unit:
	$(MAKE) -C selftests/unit check

fuzz:
	$(MAKE) -C selftests/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

demo: deps
	$(MAKE) all
	$(VM_RUN) -- scripts/demo.sh --phase $(or $(PHASE),2)

bench: all
	$(VM_RUN) -- bench/run.sh
	$(VM_RUN) -- bench/spokes.sh
	$(VM_RUN) -- bench/multicast.sh

vm-shell:
	$(VM_RUN)

debug-kernel:
	scripts/debug-kernel/build.sh

# checkpatch.pl comes from Debian's linux-source tarball (installed by deps);
# only its scripts/ directory is extracted, once.
$(CHECKPATCH):
	@if [ -z "$(KSRC_TAR)" ]; then \
		echo "error: /usr/src/linux-source-*.tar.xz missing: run 'make deps'" >&2; exit 1; \
	fi
	rm -rf $(BUILD)/ksrc.tmp && mkdir -p $(BUILD)/ksrc.tmp
	tar -xJf $(KSRC_TAR) -C $(BUILD)/ksrc.tmp --strip-components=1 --wildcards '*/scripts'
	rm -rf $(BUILD)/ksrc && mv $(BUILD)/ksrc.tmp $(BUILD)/ksrc

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --no-tree --strict --show-types -f \
		$(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h kmod/uapi/*.h))

# sparse: C=2 checks every file even if up to date; warnings in kmod/ fail.
sparse: kdir-check
	@mkdir -p $(BUILD)
	@set -o pipefail; \
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF=-D__CHECK_ENDIAN__ modules 2>&1 | tee $(BUILD)/sparse.log
	@if grep -E '(^|/)kmod/[^:]+:[0-9]+:[0-9]+: (warning|error)' $(BUILD)/sparse.log; then \
		echo "sparse: warnings in kmod/ (see above)" >&2; exit 1; \
	else \
		echo "sparse: clean"; \
	fi

lint:
	shellcheck -x scripts/*.sh scripts/vm/*.sh scripts/debug-kernel/*.sh selftests/*.sh selftests/mgre/*.sh .ci/run

install: all install-tools
	install -D -m 0644 kmod/mgre.ko $(DESTDIR)/lib/modules/$(KVER)/extra/mgre.ko
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

# nhrpctl, the ip plugin, mgre-quick (and its unit), man pages, completion
install-tools: tools
	install -D -m 0755 tools/nhrpctl/nhrpctl $(DESTDIR)$(PREFIX)/sbin/nhrpctl
	install -D -m 0644 tools/iproute2/link_mgre.so $(DESTDIR)$(IP_LIB_DIR)/link_mgre.so
	install -D -m 0644 tools/nhrpctl/nhrpctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/nhrpctl.8
	install -D -m 0644 tools/nhrpctl/nhrpctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/nhrpctl
	install -D -m 0644 tools/iproute2/ip-link-mgre.8 $(DESTDIR)$(PREFIX)/share/man/man8/ip-link-mgre.8
	install -D -m 0644 tools/iproute2/ip-mgre.bash-completion \
		$(DESTDIR)/etc/bash_completion.d/ip-mgre
	$(MAKE) -C tools/mgre-quick install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/extra/mgre.ko \
		$(DESTDIR)$(PREFIX)/sbin/nhrpctl $(DESTDIR)$(PREFIX)/sbin/mgre-quick \
		$(DESTDIR)$(IP_LIB_DIR)/link_mgre.so \
		$(DESTDIR)$(PREFIX)/share/man/man8/nhrpctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/ip-link-mgre.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/mgre-quick.8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/nhrpctl \
		$(DESTDIR)/etc/bash_completion.d/ip-mgre \
		$(DESTDIR)/lib/systemd/system/mgre-quick@.service \
		$(DESTDIR)/lib/systemd/system/mgre-quick-watch@.service
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

# The module's sources as DKMS wants them: /usr/src/mgre-VERSION
DKMS_SRC := $(DESTDIR)/usr/src/mgre-$(VERSION)
dkms-src:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod/uapi
	install -m 0644 Kbuild $(DKMS_SRC)/
	install -m 0644 $(shell git ls-files kmod 2>/dev/null | grep -v '^kmod/uapi/' || ls kmod/Kbuild kmod/*.[ch]) $(DKMS_SRC)/kmod/
	install -m 0644 kmod/uapi/mgre.h $(DKMS_SRC)/kmod/uapi/
	sed 's/@VERSION@/$(VERSION)/' packaging/dkms.conf.in > $(DKMS_SRC)/dkms.conf

dkms-install:
	-dkms remove -m mgre -v $(VERSION) --all 2>/dev/null
	$(MAKE) dkms-src
	dkms add -m mgre -v $(VERSION)
	dkms build -m mgre -v $(VERSION)
	dkms install -m mgre -v $(VERSION)

dkms-uninstall:
	-dkms remove -m mgre -v $(VERSION) --all
	rm -rf /usr/src/mgre-$(VERSION)

deb: tools
	packaging/mkdeb.sh $(VERSION) $(BUILD)/deb

# DKMS builds the module for KVER from the packaged sources, as a
# binaries-only tarball next to the packages (packaging/dkms-tarball.sh)
dkms-tarball: kdir-check
	packaging/dkms-tarball.sh $(VERSION) $(KVER) $(BUILD)/deb

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	@for d in $(TOOL_DIRS) selftests/unit selftests/fuzz; do \
		if [ -f $$d/Makefile ]; then $(MAKE) -C $$d clean || true; fi; \
	done
	rm -rf $(BUILD)
