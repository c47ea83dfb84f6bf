/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An x86-64 ELF object read for static analysis (libelf): its segments,
 * sections, symbols (the object's own, or a debug file's found by build id),
 * dynamic section, relocations (RELA and the packed DT_RELR, which elfutils
 * 0.188 does not decode) and build id.  Everything is checked against the
 * file's size when read; a malformed file is an error naming the file and the
 * offset.  The object keeps a private copy-on-write mapping of the file, so
 * memory grows with what is touched, not with the file's size.
 */
#ifndef TJ_STATIC_ELF_H
#define TJ_STATIC_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/cleanup.h"
#include "tj/base/err.h"
#include "tj/base/util.h"

/* Files larger than this are refused (a clear error, not an allocation). */
#define TJ_ELF_MAX_FILE (4ull << 30)

struct tj_elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags; /* PF_* */
};

struct tj_elf_sec {
	const char *name;
	uint32_t type;	/* SHT_* */
	uint64_t flags; /* SHF_* */
	uint64_t addr, size, offset;
};

enum tj_elf_symkind {
	TJ_SYM_FUNC,
	TJ_SYM_IFUNC,
	TJ_SYM_OBJECT
};

struct tj_elf_sym {
	const char *name;
	uint64_t value, size;
	enum tj_elf_symkind kind;
	bool defined; /* st_shndx != SHN_UNDEF */
	bool global;  /* GLOBAL or WEAK binding with default or protected visibility */
};

/* One relocation, whatever table it came from.  RELR entries appear as
 * R_X86_64_RELATIVE with the addend read from the relocated word. */
struct tj_elf_rel {
	uint64_t offset; /* the address relocated */
	uint32_t type;	 /* R_X86_64_* */
	uint32_t sym;	 /* index into dynsyms (0: none) */
	int64_t addend;
};

struct tj_elf {
	char *path;    /* as opened, for messages */
	uint8_t *data; /* the whole file (private mapping or copy) */
	size_t size;
	bool mapped;
	void *libelf;  /* Elf * */
	uint16_t type; /* ET_EXEC or ET_DYN */
	uint64_t entry;
	struct tj_elf_seg *segs;
	size_t nsegs;
	struct tj_elf_sec *secs;
	size_t nsecs;
	struct tj_elf_sym *dynsyms; /* index 0 is the null symbol */
	size_t ndynsyms;
	struct tj_elf_sym *syms; /* .symtab (own, else the debug file's); may be empty */
	size_t nsyms;
	char *debug_file; /* where syms came from when not the object */
	struct tj_elf_rel *rels;
	size_t nrels;
	char *interp; /* PT_INTERP */
	char *soname;
	struct tj_strv needed; /* DT_NEEDED, in order */
	char *runpath, *rpath; /* DT_RUNPATH, DT_RPATH (unexpanded) */
	bool has_dynamic;
	uint64_t init, fini; /* DT_INIT, DT_FINI (0: none) */
	uint64_t init_array, init_arraysz, fini_array, fini_arraysz, preinit_array, preinit_arraysz;
	uint8_t build_id[64];
	size_t build_id_len;
	bool is_go;   /* a Go binary (.note.go.buildid or .gopclntab) */
	char **owned; /* name strings allocated separately */
	size_t nowned, capowned;
};

/* Opens path.  debug_dir is where build-id debug files are looked up
 * ("/usr/lib/debug"; NULL: none).  Errors: TJ_ERR_USAGE-free TJ_ERR_INTERNAL
 * kinds never; a file that is not a valid x86-64 ELF is TJ_ERR_CANNOT_EXEC
 * with the file and offset in the message. */
int tj_elf_open(const char *path, const char *debug_dir, struct tj_elf **ret, struct tj_err **err);
/* Reads an ELF held in memory (the vDSO, the fuzzer): data is copied. */
int tj_elf_open_mem(const char *name, const void *data, size_t size, struct tj_elf **ret, struct tj_err **err);
void tj_elf_close(struct tj_elf *e);
TJ_DEFINE_CLEANUP(struct tj_elf, tj_elf_close)

/* The section holding address addr (allocated sections only), or NULL. */
const struct tj_elf_sec *tj_elf_section_at(const struct tj_elf *e, uint64_t addr);
const struct tj_elf_sec *tj_elf_section_named(const struct tj_elf *e, const char *name);
/* Reads len bytes at virtual address addr from the file image; false when
 * the range is not backed by file contents (bss, outside every segment). */
bool tj_elf_read(const struct tj_elf *e, uint64_t addr, void *buf, size_t len);
/* A pointer to the file bytes of [addr, addr+len), or NULL. */
const uint8_t *tj_elf_bytes(const struct tj_elf *e, uint64_t addr, size_t len);
/* Function starts from .eh_frame_hdr's table (sorted), for stripped code. */
int tj_elf_fde_starts(const struct tj_elf *e, uint64_t **ret, size_t *n);
/* The build id as lower-case hex ("" when absent); buf needs 129 bytes. */
void tj_elf_build_id_hex(const struct tj_elf *e, char *buf);

/* The file-type check alone: 1 when path starts with an ELF header, 0 when
 * not, -1 (with err) when it cannot be read. */
int tj_elf_is_elf(const char *path, struct tj_err **err);

#endif
