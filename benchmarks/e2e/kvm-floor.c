/* The floor: the least a VMM can do to run the firmware ROM on KVM. One
 * vCPU, KVM's in-kernel irqchip, RAM at 0, the ROM read-only below 4 GiB,
 * CPUID as KVM offers it, every exit answered in place: IN reads all ones, writes are dropped, a
 * 16-bit write of SLP_EN to the PM1 control port (0x604) powers off (exit 0),
 * a write to isa-debug-exit (0xF4) fails the run. Usage: kvm-floor ROM */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kvm = open("/dev/kvm", O_RDWR), vm = ioctl(kvm, KVM_CREATE_VM, 0), rom = open(argv[1], O_RDONLY);
	size_t ram_size = 2 << 20, rom_size = 64 << 10;
	void *ram = mmap(0, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	void *image = mmap(0, rom_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (read(rom, image, rom_size) != (ssize_t)rom_size) { fprintf(stderr, "%s: not a 64 KiB ROM\n", argv[1]); return 2; }
	struct kvm_userspace_memory_region r0 = { 0, 0, 0, ram_size, (unsigned long)ram };
	struct kvm_userspace_memory_region r1 = { 1, KVM_MEM_READONLY, (1ull << 32) - rom_size, rom_size, (unsigned long)image };
	ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r0);
	ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r1);
	ioctl(vm, KVM_CREATE_IRQCHIP, 0); /* as emu and QEMU: the interrupt controllers live in KVM */
	int cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	struct { struct kvm_cpuid2 h; struct kvm_cpuid_entry2 e[256]; } cpuid = { .h.nent = 256 };
	ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid);
	ioctl(cpu, KVM_SET_CPUID2, &cpuid);
	struct kvm_run *run = mmap(0, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	for (;;) {
		if (ioctl(cpu, KVM_RUN, 0) < 0) { perror("KVM_RUN"); return 1; }
		if (run->exit_reason == KVM_EXIT_IO) {
			unsigned char *data = (unsigned char *)run + run->io.data_offset;
			if (run->io.direction == KVM_EXIT_IO_IN) { memset(data, 0xFF, run->io.size * run->io.count); continue; }
			if (run->io.port == 0xF4) return ((data[0] << 1) | 1) & 0xFF;
			if (run->io.port == 0x604 && run->io.size == 2 && (*(unsigned short *)data & 0x2000)) return 0;
		} else if (run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "unexpected exit %u\n", run->exit_reason);
			return 2;
		}
	}
}
