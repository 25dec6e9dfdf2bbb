/* board_qemu.c: startup and output of main.c on a Cortex-M4 board with
 * semihosting (qemu-system-arm -M mps2-an386 -semihosting): the vector
 * table, a reset handler that turns the FPU on, copies .data from flash,
 * zeroes .bss, runs main() and ends the run with main's status, and
 * board_write through the debugger (semihosting SYS_WRITE0). No heap, no
 * newlib stdio: the symbols come from link.ld. */
#include <stddef.h>
#include <stdint.h>

int main(void);
void board_write(const char *s, size_t n);
void board_reset(void);

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

enum { SYS_WRITE0 = 0x04, SYS_EXIT = 0x18 };
enum { ADP_APPLICATION_EXIT = 0x20026, ADP_RUNTIME_ERROR = 0x20023 };

static uintptr_t semihost(uintptr_t op, const void *arg)
{
	register uintptr_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

/* Ends the run: qemu exits 0 for an application exit, 1 otherwise. */
static void board_exit(int status)
{
	semihost(SYS_EXIT, (const void *)(uintptr_t)(status ? ADP_RUNTIME_ERROR : ADP_APPLICATION_EXIT));
	for (;;)
		;
}

void board_write(const char *s, size_t n)
{
	char buf[129];
	while (n) {
		size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
		for (size_t i = 0; i < k; i++)
			buf[i] = s[i];
		buf[k] = 0;
		semihost(SYS_WRITE0, buf);
		s += k;
		n -= k;
	}
}

static void fault(void)
{
	board_write("fault\n", 6);
	board_exit(1);
}

void board_reset(void)
{
	/* CPACR: full access to CP10 and CP11, the FPU, before any float code. */
	*(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
	__asm__ volatile("dsb\n\tisb" ::: "memory");
	for (uint32_t *s = _sidata, *d = _sdata; d < _edata;)
		*d++ = *s++;
	for (uint32_t *d = _sbss; d < _ebss;)
		*d++ = 0;
	board_exit(main());
}

/* Initial stack pointer, reset, NMI, hard fault, memory, bus and usage fault. */
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[] = {
	(uintptr_t)_estack, (uintptr_t)board_reset, (uintptr_t)fault, (uintptr_t)fault,
	(uintptr_t)fault,   (uintptr_t)fault,       (uintptr_t)fault,
};
