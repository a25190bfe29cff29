/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment shim for the NHRP wire codec: the codec is built both into
 * the kernel module and into userspace unit tests / fuzzers.  Nothing else
 * in nhrp_codec.[ch] may depend on the environment.
 */
#ifndef _MGRE_NHRP_SHIM_H
#define _MGRE_NHRP_SHIM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#else /* userspace */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define u8 uint8_t
#define u16 uint16_t
#define u32 uint32_t
#define u64 uint64_t
#define __be16 uint16_t
#define __be32 uint32_t

static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline void put_unaligned_be16(u16 v, void *p)
{
	u8 *b = p;

	b[0] = (u8)(v >> 8);
	b[1] = (u8)(v & 0xff);
}

static inline void put_unaligned_be32(u32 v, void *p)
{
	u8 *b = p;

	b[0] = (u8)(v >> 24);
	b[1] = (u8)((v >> 16) & 0xff);
	b[2] = (u8)((v >> 8) & 0xff);
	b[3] = (u8)(v & 0xff);
}

#endif /* __KERNEL__ */

#endif /* _MGRE_NHRP_SHIM_H */
