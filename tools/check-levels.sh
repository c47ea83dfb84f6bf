#!/bin/sh
# Checks the level rule of notes/architecture.md from the table in
# tools/levels.txt: a source file uses tinyjail headers only from its own
# folder and lower levels, third-party headers only where the table allows
# them, and no source file sits outside a folder of the table.
set -u
cd "$(dirname "$0")/.." || exit 2
table=tools/levels.txt
awk -v table="$table" '
BEGIN {
	while ((getline line < table) > 0) {
		if (line ~ /^[ \t]*(#|$)/) continue
		n = split(line, f, /[ \t]+/)
		level[f[2]] = f[1] + 0
		for (i = 3; i <= n; i++) owner[f[i]] = owner[f[i]] " " f[2]
	}
	bad = 0
}
FNR == 1 {
	folder = FILENAME
	sub(/^(src|include\/tj)\//, "", folder)
	if (folder !~ /\//) { printf "%s: outside every folder of %s\n", FILENAME, table; bad++; nextfile }
	sub(/\/.*/, "", folder)
	if (!(folder in level)) { printf "%s: folder %s is not in %s\n", FILENAME, folder, table; bad++; nextfile }
}
/^[ \t]*#[ \t]*include[ \t]*"tj\// {
	h = $0; sub(/^[^"]*"tj\//, "", h); sub(/".*/, "", h)
	to = h; sub(/\/.*/, "", to)
	if (!(to in level)) { printf "%s:%d: includes tj/%s from no known folder\n", FILENAME, FNR, h; bad++; next }
	if (to != folder && level[to] >= level[folder]) {
		printf "%s:%d: %s (level %d) uses tj/%s (level %d): a module uses only lower levels\n",
			FILENAME, FNR, folder, level[folder], h, level[to]
		bad++
	}
	next
}
/^[ \t]*#[ \t]*include[ \t]*</ {
	h = $0; sub(/^[^<]*</, "", h); sub(/>.*/, "", h)
	for (p in owner) {
		if (index(h, p) == 1 && index(owner[p] " ", " " folder " ") == 0) {
			printf "%s:%d: <%s> belongs to%s only\n", FILENAME, FNR, h, owner[p]
			bad++
		}
	}
}
END { if (bad) { printf "level check: %d problem(s)\n", bad; exit 1 } }
' $(find src include/tj -name '*.[ch]' ! -path 'src/net/bpf/*' | sort) || exit 1
echo "level check: $(find src include/tj -name '*.[ch]' ! -path 'src/net/bpf/*' | wc -l) files, every include goes down a level"
