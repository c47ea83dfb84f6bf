/* SPDX-License-Identifier: Apache-2.0 */
/* Reading x86-64 ELF objects for static analysis (include/tj/static/elf.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/static/elf.h"

#ifndef SHT_RELR
#define SHT_RELR 19
#endif

static int bad(struct tj_err **err, const struct tj_elf *e, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "'FILE': offset 0xN: what" for a malformed file. */
static int bad(struct tj_err **err, const struct tj_elf *e, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tj_autofree char *what = tj_xvasprintf(fmt, ap);
	va_end(ap);
	return tj_err_set(err, TJ_ERR_CANNOT_EXEC, ENOEXEC, "'%s': offset 0x%llx: %s", e->path, (unsigned long long)off,
			  what);
}

static const char *own(struct tj_elf *e, const char *s)
{
	char *c = tj_xstrdup(s ? s : "");
	tj_xreserve((void **)&e->owned, &e->capowned, e->nowned + 1, sizeof(char *));
	e->owned[e->nowned++] = c;
	return c;
}

/* A range [off, off+len) inside the file. */
static bool in_file(const struct tj_elf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

static int check_header(struct tj_elf *e, struct tj_err **err)
{
	if (e->size < sizeof(Elf64_Ehdr)) {
		if (e->size >= 4 && memcmp(e->data, ELFMAG, SELFMAG) == 0)
			return bad(err, e, e->size, "truncated ELF header (%zu bytes)", e->size);
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, ENOEXEC, "'%s' is not an ELF file", e->path);
	}
	const Elf64_Ehdr *h = (const Elf64_Ehdr *)e->data;
	if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0)
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, ENOEXEC, "'%s' is not an ELF file", e->path);
	if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB || h->e_machine != EM_X86_64)
		return tj_err_set(
			err, TJ_ERR_CANNOT_EXEC, ENOEXEC,
			"'%s' is not an x86-64 ELF object (class %u, data %u, machine %u): only x86-64 is analysed",
			e->path, h->e_ident[EI_CLASS], h->e_ident[EI_DATA], h->e_machine);
	if (h->e_type != ET_EXEC && h->e_type != ET_DYN)
		return bad(err, e, offsetof(Elf64_Ehdr, e_type),
			   "ELF type %u is neither an executable nor a shared object", h->e_type);
	if (h->e_phnum && (h->e_phentsize != sizeof(Elf64_Phdr) ||
			   !in_file(e, h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr))))
		return bad(err, e, h->e_phoff,
			   "program header table (%u entries of %u bytes) extends past the end of the file (%zu bytes)",
			   h->e_phnum, h->e_phentsize, e->size);
	if (h->e_shoff && (h->e_shentsize != sizeof(Elf64_Shdr) || !in_file(e, h->e_shoff, sizeof(Elf64_Shdr))))
		return bad(err, e, h->e_shoff, "section header table extends past the end of the file (%zu bytes)",
			   e->size);
	if (h->e_shnum && !in_file(e, h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr)))
		return bad(err, e, h->e_shoff,
			   "section header table (%u entries) extends past the end of the file (%zu bytes)", h->e_shnum,
			   e->size);
	e->type = h->e_type;
	e->entry = h->e_entry;
	return 0;
}

static int read_segments(struct tj_elf *e, Elf *elf, struct tj_err **err)
{
	size_t n = 0;
	if (elf_getphdrnum(elf, &n) != 0)
		return bad(err, e, 0, "unreadable program headers: %s", elf_errmsg(-1));
	e->segs = tj_xcalloc(n ? n : 1, sizeof(*e->segs));
	const Elf64_Ehdr *h = (const Elf64_Ehdr *)e->data;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		uint64_t at = h->e_phoff + i * sizeof(Elf64_Phdr);
		if (!gelf_getphdr(elf, (int)i, &ph))
			return bad(err, e, at, "program header %zu unreadable: %s", i, elf_errmsg(-1));
		if (ph.p_type == PT_LOAD || ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC) {
			if (!in_file(e, ph.p_offset, ph.p_filesz))
				return bad(err, e, at,
					   "segment %zu (file offset 0x%llx, %llu bytes) extends past the end of the file (%zu bytes)",
					   i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz,
					   e->size);
			if (ph.p_filesz > ph.p_memsz && ph.p_type == PT_LOAD)
				return bad(err, e, at, "segment %zu has more file bytes than memory bytes", i);
		}
		if (ph.p_type == PT_INTERP) {
			const char *s = (const char *)e->data + ph.p_offset;
			if (ph.p_filesz < 2 || ph.p_filesz > 4096 || s[ph.p_filesz - 1] != '\0')
				return bad(err, e, ph.p_offset, "malformed ELF interpreter entry (PT_INTERP)");
			free(e->interp);
			e->interp = tj_xstrdup(s);
		}
		if (ph.p_type == PT_LOAD)
			e->segs[e->nsegs++] = (struct tj_elf_seg){ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz,
								  ph.p_flags};
	}
	return 0;
}

static int read_sections(struct tj_elf *e, Elf *elf, struct tj_err **err)
{
	size_t n = 0, shstrndx = 0;
	if (elf_getshdrnum(elf, &n) != 0)
		return bad(err, e, 0, "unreadable section headers: %s", elf_errmsg(-1));
	if (n > 1 && elf_getshdrstrndx(elf, &shstrndx) != 0)
		return bad(err, e, 0, "unreadable section name table: %s", elf_errmsg(-1));
	const Elf64_Ehdr *h = (const Elf64_Ehdr *)e->data;
	if (n > 1 && !in_file(e, h->e_shoff, (uint64_t)n * sizeof(Elf64_Shdr)))
		return bad(err, e, h->e_shoff, "section header table (%zu entries) extends past the end of the file",
			   n);
	e->secs = tj_xcalloc(n ? n : 1, sizeof(*e->secs));
	for (size_t i = 0; i < n; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);
		GElf_Shdr sh;
		uint64_t at = h->e_shoff + i * sizeof(Elf64_Shdr);
		if (!scn || !gelf_getshdr(scn, &sh))
			return bad(err, e, at, "section header %zu unreadable: %s", i, elf_errmsg(-1));
		const char *name = i ? elf_strptr(elf, shstrndx, sh.sh_name) : "";
		if (!name)
			name = "?";
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL && !in_file(e, sh.sh_offset, sh.sh_size))
			return bad(err, e, at,
				   "section %zu ('%s', file offset 0x%llx, %llu bytes) extends past the end of the file (%zu bytes)",
				   i, name, (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size, e->size);
		e->secs[i] = (struct tj_elf_sec){name, sh.sh_type, sh.sh_flags, sh.sh_addr, sh.sh_size, sh.sh_offset};
		if (!strcmp(name, ".note.go.buildid") || !strcmp(name, ".gopclntab") || !strcmp(name, ".go.buildinfo"))
			e->is_go = true;
	}
	e->nsecs = n;
	return 0;
}

/* The symbols of one SHT_SYMTAB/SHT_DYNSYM section. */
static int open_file(const char *path, const char *debug_dir, bool symbols_only, struct tj_elf **ret,
		     struct tj_err **err);

static int read_symtab(struct tj_elf *e, Elf *elf, size_t index, bool copy_names, struct tj_elf_sym **ret,
		       size_t *ret_n, struct tj_err **err)
{
	Elf_Scn *scn = elf_getscn(elf, index);
	GElf_Shdr sh;
	if (!scn || !gelf_getshdr(scn, &sh))
		return bad(err, e, 0, "section %zu unreadable", index);
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || sh.sh_entsize != sizeof(Elf64_Sym))
		return bad(err, e, sh.sh_offset, "symbol table '%s' is unreadable", e->secs[index].name);
	size_t n = d->d_size / sizeof(Elf64_Sym);
	struct tj_elf_sym *v = tj_xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s)) {
			free(v);
			return bad(err, e, sh.sh_offset + i * sizeof(Elf64_Sym), "symbol %zu unreadable", i);
		}
		const char *name = s.st_name ? elf_strptr(elf, sh.sh_link, s.st_name) : "";
		if (!name) {
			free(v);
			return bad(err, e, sh.sh_offset + i * sizeof(Elf64_Sym),
				   "symbol %zu has a name outside its string table", i);
		}
		unsigned type = GELF_ST_TYPE(s.st_info), bind = GELF_ST_BIND(s.st_info),
			 vis = GELF_ST_VISIBILITY(s.st_other);
		v[i].name = copy_names ? own(e, name) : name;
		v[i].value = s.st_value;
		v[i].size = s.st_size;
		v[i].kind = type == STT_GNU_IFUNC ? TJ_SYM_IFUNC : type == STT_FUNC ? TJ_SYM_FUNC : TJ_SYM_OBJECT;
		/* An assembler label without .type (_start in hand-written
		 * code) names code when its section is code. */
		if (type == STT_NOTYPE && s.st_shndx < e->nsecs && (e->secs[s.st_shndx].flags & SHF_EXECINSTR))
			v[i].kind = TJ_SYM_FUNC;
		if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT && type != STT_TLS &&
		    type != STT_NOTYPE)
			v[i].name = ""; /* sections, files: not symbols we use */
		v[i].defined = s.st_shndx != SHN_UNDEF && s.st_shndx != SHN_ABS;
		v[i].global = (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) &&
			      (vis == STV_DEFAULT || vis == STV_PROTECTED);
		if (type == STT_TLS)
			v[i].defined = false; /* TLS offsets are not addresses */
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int read_dynamic(struct tj_elf *e, Elf *elf, size_t index, struct tj_err **err)
{
	Elf_Scn *scn = elf_getscn(elf, index);
	GElf_Shdr sh;
	Elf_Data *d = scn && gelf_getshdr(scn, &sh) ? elf_getdata(scn, NULL) : NULL;
	if (!d)
		return bad(err, e, e->secs[index].offset, "unreadable dynamic section");
	e->has_dynamic = true;
	size_t n = d->d_size / sizeof(Elf64_Dyn);
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(d, (int)i, &dyn))
			break;
		if (dyn.d_tag == DT_NULL)
			break;
		const char *s = NULL;
		if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME || dyn.d_tag == DT_RUNPATH ||
		    dyn.d_tag == DT_RPATH) {
			s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				return bad(err, e, sh.sh_offset + i * sizeof(Elf64_Dyn),
					   "dynamic entry %zu names a string outside the string table", i);
		}
		switch (dyn.d_tag) {
		case DT_NEEDED: tj_strv_add(&e->needed, s); break;
		case DT_SONAME:
			free(e->soname);
			e->soname = tj_xstrdup(s);
			break;
		case DT_RUNPATH:
			free(e->runpath);
			e->runpath = tj_xstrdup(s);
			break;
		case DT_RPATH:
			free(e->rpath);
			e->rpath = tj_xstrdup(s);
			break;
		case DT_INIT: e->init = dyn.d_un.d_ptr; break;
		case DT_FINI: e->fini = dyn.d_un.d_ptr; break;
		case DT_INIT_ARRAY: e->init_array = dyn.d_un.d_ptr; break;
		case DT_INIT_ARRAYSZ: e->init_arraysz = dyn.d_un.d_val; break;
		case DT_FINI_ARRAY: e->fini_array = dyn.d_un.d_ptr; break;
		case DT_FINI_ARRAYSZ: e->fini_arraysz = dyn.d_un.d_val; break;
		case DT_PREINIT_ARRAY: e->preinit_array = dyn.d_un.d_ptr; break;
		case DT_PREINIT_ARRAYSZ: e->preinit_arraysz = dyn.d_un.d_val; break;
		default: break;
		}
	}
	return 0;
}

static void add_rel(struct tj_elf *e, size_t *cap, struct tj_elf_rel r)
{
	tj_xreserve((void **)&e->rels, cap, e->nrels + 1, sizeof(*e->rels));
	e->rels[e->nrels++] = r;
}

/* DT_RELR (glibc 2.36's libc and ld.so): an even word is an address to
 * relocate, an odd word a bitmap of the 63 words after the last address. */
static int read_relr(struct tj_elf *e, const struct tj_elf_sec *s, size_t *cap, struct tj_err **err)
{
	if (s->size % 8)
		return bad(err, e, s->offset, "RELR section '%s' has a size that is not a multiple of 8", s->name);
	const uint8_t *p = e->data + s->offset;
	uint64_t next = 0;
	bool have_base = false;
	for (uint64_t i = 0; i < s->size / 8; i++) {
		uint64_t w;
		memcpy(&w, p + i * 8, 8);
		uint64_t where[64];
		size_t nw = 0;
		if ((w & 1) == 0) {
			where[nw++] = w;
			next = w + 8;
			have_base = true;
		} else {
			if (!have_base)
				return bad(err, e, s->offset + i * 8, "RELR bitmap before any address");
			for (unsigned b = 1; b < 64; b++)
				if (w >> b & 1)
					where[nw++] = next + (uint64_t)(b - 1) * 8;
			next += 63 * 8;
		}
		for (size_t k = 0; k < nw; k++) {
			uint64_t v = 0;
			if (!tj_elf_read(e, where[k], &v, 8))
				continue; /* a relocation of bss: no addend to read */
			add_rel(e, cap, (struct tj_elf_rel){where[k], R_X86_64_RELATIVE, 0, (int64_t)v});
		}
	}
	return 0;
}

static int read_relocations(struct tj_elf *e, Elf *elf, size_t dynsym_index, struct tj_err **err)
{
	size_t cap = 0;
	for (size_t i = 0; i < e->nsecs; i++) {
		const struct tj_elf_sec *s = &e->secs[i];
		if (s->type == SHT_RELR) {
			if (read_relr(e, s, &cap, err) < 0)
				return -1;
			continue;
		}
		if (s->type != SHT_RELA || !(s->flags & SHF_ALLOC))
			continue;
		Elf_Scn *scn = elf_getscn(elf, i);
		GElf_Shdr sh;
		Elf_Data *d = scn && gelf_getshdr(scn, &sh) ? elf_getdata(scn, NULL) : NULL;
		if (!d || sh.sh_entsize != sizeof(Elf64_Rela))
			return bad(err, e, s->offset, "relocation section '%s' is unreadable", s->name);
		/* Relocations against another symbol table than .dynsym are not
		 * the ones the loader applies. */
		if (sh.sh_link && sh.sh_link != dynsym_index)
			continue;
		size_t n = d->d_size / sizeof(Elf64_Rela);
		for (size_t k = 0; k < n; k++) {
			GElf_Rela r;
			if (!gelf_getrela(d, (int)k, &r))
				return bad(err, e, s->offset + k * sizeof(Elf64_Rela), "relocation %zu unreadable", k);
			uint32_t sym = (uint32_t)GELF_R_SYM(r.r_info);
			if (sym >= e->ndynsyms)
				sym = 0;
			add_rel(e, &cap,
				(struct tj_elf_rel){r.r_offset, (uint32_t)GELF_R_TYPE(r.r_info), sym, r.r_addend});
		}
	}
	return 0;
}

static void read_build_id(struct tj_elf *e, Elf *elf)
{
	for (size_t i = 0; i < e->nsecs && !e->build_id_len; i++) {
		if (e->secs[i].type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(elf_getscn(elf, i), NULL);
		if (!d)
			continue;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4) == 0 &&
			    nh.n_descsz <= sizeof(e->build_id)) {
				memcpy(e->build_id, (const char *)d->d_buf + desc_off, nh.n_descsz);
				e->build_id_len = nh.n_descsz;
				break;
			}
		}
	}
}

void tj_elf_build_id_hex(const struct tj_elf *e, char *buf)
{
	for (size_t i = 0; i < e->build_id_len; i++)
		sprintf(buf + 2 * i, "%02x", e->build_id[i]);
	buf[2 * e->build_id_len] = '\0';
}

/* .symtab from /usr/lib/debug/.build-id/xx/yyyy.debug when the object has
 * none (Debian strips it into -dbg packages). */
static void read_debug_symbols(struct tj_elf *e, const char *debug_dir)
{
	if (!debug_dir || e->build_id_len < 2)
		return;
	char hex[129];
	tj_elf_build_id_hex(e, hex);
	tj_autofree char *path = tj_xasprintf("%s/.build-id/%.2s/%s.debug", debug_dir, hex, hex + 2);
	struct tj_elf *d = NULL;
	struct tj_err *ignored = NULL;
	if (access(path, R_OK) != 0 || open_file(path, NULL, true, &d, &ignored) < 0) {
		tj_err_free(ignored);
		return;
	}
	if (d->build_id_len == e->build_id_len && memcmp(d->build_id, e->build_id, e->build_id_len) == 0 && d->nsyms) {
		e->syms = tj_xcalloc(d->nsyms, sizeof(*e->syms));
		for (size_t i = 0; i < d->nsyms; i++) {
			e->syms[i] = d->syms[i];
			e->syms[i].name = own(e, d->syms[i].name);
		}
		e->nsyms = d->nsyms;
		e->debug_file = TJ_STEAL(&path);
	}
	tj_elf_close(d);
}

/* symbols_only: a debug file, whose segments describe the stripped object
 * and whose code sections are NOBITS: only its .symtab is read. */
static int parse(struct tj_elf *e, const char *debug_dir, bool symbols_only, struct tj_err **err)
{
	if (check_header(e, err) < 0)
		return -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "libelf: %s", elf_errmsg(-1));
	Elf *elf = elf_memory((char *)e->data, e->size);
	if (!elf)
		return bad(err, e, 0, "libelf cannot read it: %s", elf_errmsg(-1));
	e->libelf = elf;
	if ((!symbols_only && read_segments(e, elf, err) < 0) || read_sections(e, elf, err) < 0)
		return -1;
	size_t dynsym = 0, symtab = 0, dynamic = 0;
	for (size_t i = 0; i < e->nsecs; i++) {
		if (e->secs[i].type == SHT_DYNSYM)
			dynsym = i;
		else if (e->secs[i].type == SHT_SYMTAB)
			symtab = i;
		else if (e->secs[i].type == SHT_DYNAMIC)
			dynamic = i;
	}
	if (symbols_only) {
		if (symtab && read_symtab(e, elf, symtab, false, &e->syms, &e->nsyms, err) < 0)
			return -1;
		read_build_id(e, elf);
		return 0;
	}
	if (dynsym && read_symtab(e, elf, dynsym, false, &e->dynsyms, &e->ndynsyms, err) < 0)
		return -1;
	if (symtab && read_symtab(e, elf, symtab, false, &e->syms, &e->nsyms, err) < 0)
		return -1;
	if (dynamic && read_dynamic(e, elf, dynamic, err) < 0)
		return -1;
	if (read_relocations(e, elf, dynsym, err) < 0)
		return -1;
	read_build_id(e, elf);
	if (!e->nsyms)
		read_debug_symbols(e, debug_dir);
	return 0;
}

int tj_elf_open_mem(const char *name, const void *data, size_t size, struct tj_elf **ret, struct tj_err **err)
{
	struct tj_elf *e = tj_xcalloc(1, sizeof(*e));
	e->path = tj_xstrdup(name);
	e->data = tj_xmalloc(size ? size : 1);
	memcpy(e->data, data, size);
	e->size = size;
	if (parse(e, NULL, false, err) < 0) {
		tj_elf_close(e);
		return -1;
	}
	*ret = e;
	return 0;
}

static int open_file(const char *path, const char *debug_dir, bool symbols_only, struct tj_elf **ret,
		     struct tj_err **err)
{
	tj_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, errno == ENOENT ? TJ_ERR_NOT_FOUND : TJ_ERR_CANNOT_EXEC, errno,
				  "cannot open '%s'", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, errno, "cannot stat '%s'", path);
	if (!S_ISREG(st.st_mode))
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, 0, "'%s' is not a regular file", path);
	if ((uint64_t)st.st_size > TJ_ELF_MAX_FILE)
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, EFBIG, "'%s' is larger than %llu GiB: not analysed", path,
				  (unsigned long long)(TJ_ELF_MAX_FILE >> 30));
	struct tj_elf *e = tj_xcalloc(1, sizeof(*e));
	e->path = tj_xstrdup(path);
	e->size = (size_t)st.st_size;
	if (e->size) {
		/* Private and writable: libelf may write into its image; the
		 * file itself is never changed and untouched pages cost nothing. */
		void *m = mmap(NULL, e->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			int saved = errno;
			tj_elf_close(e);
			return tj_err_set(err, TJ_ERR_CANNOT_EXEC, saved, "cannot map '%s'", path);
		}
		e->data = m;
		e->mapped = true;
	} else {
		e->data = tj_xmalloc(1);
	}
	if (parse(e, debug_dir, symbols_only, err) < 0) {
		tj_elf_close(e);
		return -1;
	}
	*ret = e;
	return 0;
}

int tj_elf_open(const char *path, const char *debug_dir, struct tj_elf **ret, struct tj_err **err)
{
	return open_file(path, debug_dir, false, ret, err);
}

void tj_elf_close(struct tj_elf *e)
{
	if (!e)
		return;
	if (e->libelf)
		elf_end(e->libelf);
	if (e->mapped)
		munmap(e->data, e->size);
	else
		free(e->data);
	free(e->path);
	free(e->segs);
	free(e->secs);
	free(e->dynsyms);
	free(e->syms);
	free(e->debug_file);
	free(e->rels);
	free(e->interp);
	free(e->soname);
	free(e->runpath);
	free(e->rpath);
	tj_strv_done(&e->needed);
	for (size_t i = 0; i < e->nowned; i++)
		free(e->owned[i]);
	free(e->owned);
	free(e);
}

const struct tj_elf_sec *tj_elf_section_at(const struct tj_elf *e, uint64_t addr)
{
	for (size_t i = 0; i < e->nsecs; i++) {
		const struct tj_elf_sec *s = &e->secs[i];
		if ((s->flags & SHF_ALLOC) && s->size && addr >= s->addr && addr - s->addr < s->size)
			return s;
	}
	return NULL;
}

const struct tj_elf_sec *tj_elf_section_named(const struct tj_elf *e, const char *name)
{
	for (size_t i = 0; i < e->nsecs; i++)
		if (strcmp(e->secs[i].name, name) == 0)
			return &e->secs[i];
	return NULL;
}

const uint8_t *tj_elf_bytes(const struct tj_elf *e, uint64_t addr, size_t len)
{
	for (size_t i = 0; i < e->nsegs; i++) {
		const struct tj_elf_seg *s = &e->segs[i];
		if (addr >= s->vaddr && addr - s->vaddr <= s->filesz && len <= s->filesz - (addr - s->vaddr))
			return e->data + s->offset + (addr - s->vaddr);
	}
	return NULL;
}

bool tj_elf_read(const struct tj_elf *e, uint64_t addr, void *buf, size_t len)
{
	const uint8_t *p = tj_elf_bytes(e, addr, len);
	if (!p)
		return false;
	memcpy(buf, p, len);
	return true;
}

/* DWARF pointer encodings GNU ld writes into .eh_frame_hdr. */
static bool read_encoded(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t pc, uint64_t datarel,
			 uint64_t *ret)
{
	uint64_t v;
	switch (enc & 0x0f) {
	case 0x00: /* absptr */
	case 0x04: /* udata8 */
	case 0x0c: /* sdata8 */
		if (end - *p < 8)
			return false;
		memcpy(&v, *p, 8);
		*p += 8;
		break;
	case 0x03: { /* udata4 */
		uint32_t u;
		if (end - *p < 4)
			return false;
		memcpy(&u, *p, 4);
		*p += 4;
		v = u;
		break;
	}
	case 0x0b: { /* sdata4 */
		int32_t s;
		if (end - *p < 4)
			return false;
		memcpy(&s, *p, 4);
		*p += 4;
		v = (uint64_t)(int64_t)s;
		break;
	}
	default: return false;
	}
	switch (enc & 0x70) {
	case 0x00: break;
	case 0x10: v += pc; break;
	case 0x30: v += datarel; break;
	default: return false;
	}
	*ret = v;
	return true;
}

int tj_elf_fde_starts(const struct tj_elf *e, uint64_t **ret, size_t *n)
{
	*ret = NULL;
	*n = 0;
	const struct tj_elf_sec *s = tj_elf_section_named(e, ".eh_frame_hdr");
	if (!s || s->type == SHT_NOBITS || s->size < 4)
		return 0;
	const uint8_t *base = e->data + s->offset, *p = base + 4, *end = base + s->size;
	if (base[0] != 1 || base[3] == 0xff || base[2] == 0xff)
		return 0;
	uint64_t frame, count;
	if (!read_encoded(&p, end, base[1], s->addr + 4, s->addr, &frame) ||
	    !read_encoded(&p, end, base[2], s->addr + (uint64_t)(p - base), s->addr, &count))
		return 0;
	if (count > (uint64_t)(end - p) / 8)
		return 0;
	uint64_t *v = tj_xcalloc(count ? count : 1, sizeof(*v));
	size_t k = 0;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t loc, fde;
		if (!read_encoded(&p, end, base[3], s->addr + (uint64_t)(p - base), s->addr, &loc) ||
		    !read_encoded(&p, end, base[3], s->addr + (uint64_t)(p - base), s->addr, &fde))
			break;
		v[k++] = loc;
	}
	*ret = v;
	*n = k;
	return 0;
}

int tj_elf_is_elf(const char *path, struct tj_err **err)
{
	tj_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, errno == ENOENT ? TJ_ERR_NOT_FOUND : TJ_ERR_CANNOT_EXEC, errno,
				  "cannot open '%s'", path);
	char m[4];
	return pread(fd, m, 4, 0) == 4 && memcmp(m, ELFMAG, SELFMAG) == 0;
}
