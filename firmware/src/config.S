/*
 * The patchable configuration block.
 *
 * 64 bytes, 16-byte aligned, in the ROM image:
 *   bytes 0..7   magic "EMUCFG01"
 *   bytes 8..63  mode string, NUL-terminated (at most 55 characters)
 * Tools find the block by searching the ROM file for the magic (it occurs
 * exactly once; the build checks that) and overwrite the mode string, so the
 * same ROM can run any mode on a VMM without fw_cfg.
 *
 * It is defined here, not in C, so the compiler cannot see its contents and
 * fold the default mode into the code.
 */
#define CONFIG_BLOCK_SIZE 64

        .section .rodata.config, "a"
        .balign 16
        .globl  emu_config_block
emu_config_block:
        .ascii  "EMUCFG01"
        .asciz  "selftest"
        .fill   CONFIG_BLOCK_SIZE - (. - emu_config_block), 1, 0
