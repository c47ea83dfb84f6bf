#!/bin/sh
# A shell script for the shell-script profile (tests/integration/test_policies.sh):
# loops, pipelines, command substitution, subshells, background jobs, kill,
# wait, timeout and tar with gzip.  Prints "ok" when everything worked.
set -eu
dir=$(mktemp -d)
for i in 1 2 3; do echo "line $i" >>"$dir/f"; done
n=$(wc -l <"$dir/f")
[ "$n" -eq 3 ]
sort -r "$dir/f" | head -1 | tr a-z A-Z >"$dir/g"
grep -q "LINE 3" "$dir/g"
(cd "$dir" && ls >list)
sleep 30 &
pid=$!
kill "$pid"
wait "$pid" || true
timeout 1 sleep 30 || [ $? -eq 124 ]
x=$(printf '%s\n' a b c | sed 's/b/B/' | paste -sd,)
[ "$x" = "a,B,c" ]
tar -C "$dir" -czf "$dir/t.tgz" f g
[ "$(tar -tzf "$dir/t.tgz" | wc -l)" -eq 2 ]
rm -rf "$dir"
echo ok
