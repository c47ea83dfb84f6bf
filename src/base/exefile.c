/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a script's #! line, and an ELF file's PT_INTERP through libelf. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/exefile.h"

static int elf_interpreter(int fd, const char *path, struct tj_strv *out, struct tj_err **err)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "libelf: %s", elf_errmsg(-1));
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, 0, "cannot read '%s': %s", path, elf_errmsg(-1));
	int r = 0;
	size_t nphdr = 0, size = 0;
	const char *raw = elf_rawfile(e, &size);
	/* Not ELF (or not one libelf knows): the kernel will judge it at exec. */
	if (elf_kind(e) != ELF_K_ELF || !raw || elf_getphdrnum(e, &nphdr) != 0)
		goto out;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		/* The interpreter's name, with its terminating NUL, inside the file. */
		if (ph.p_filesz < 2 || ph.p_filesz > 4096 || ph.p_offset > size || size - ph.p_offset < ph.p_filesz ||
		    raw[ph.p_offset + ph.p_filesz - 1] != '\0') {
			r = tj_err_set(err, TJ_ERR_CANNOT_EXEC, ENOEXEC, "'%s' has a malformed ELF interpreter entry",
				       path);
			goto out;
		}
		tj_strv_add(out, raw + ph.p_offset);
		break;
	}
out:
	elf_end(e);
	return r;
}

int tj_exe_dependencies(const char *path, struct tj_strv *out, struct tj_err **err)
{
	tj_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, errno, "cannot read '%s'", path);
	char head[256];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		head[n] = '\0';
		char *p = head + 2;
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t\n");
		if (len == 0)
			return tj_err_set(err, TJ_ERR_CANNOT_EXEC, ENOEXEC, "'%s' has an empty #! line", path);
		p[len] = '\0';
		tj_strv_add(out, p);
		tj_autoclose int ifd = open(p, O_RDONLY | O_CLOEXEC);
		if (ifd < 0)
			return tj_err_set(err, TJ_ERR_CANNOT_EXEC, errno, "cannot read '%s', the interpreter of '%s'",
					  p, path);
		return elf_interpreter(ifd, p, out, err);
	}
	return elf_interpreter(fd, path, out, err);
}
