# bash completion for tinyjail(1).  Installed by `make install` into
# $(PREFIX)/share/bash-completion/completions/tinyjail.  A new verb goes here
# too (and into the man page, man/tinyjail.1); a verb's options are read from
# `tinyjail help VERB`, so they follow the binary (the list below is the
# fallback when that prints nothing).

# The options `tinyjail help VERB` lists.
_tinyjail_opts() {
	command tinyjail help "$1" 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

_tinyjail_verbs="run check compile groups why profiles supervise learn diff explain edit report help version"

_tinyjail_run_opts="--profile --allow-syscall --deny-syscall --enforce --complain --mode --log --report --explain
--explain-stacks --notify-socket --ignore-unknown-syscalls --memory --cpu --pids --timeout --kill-after --rlimit
--allow-degraded --json-status --fail-on-violation --kill-via --no-cache --user --cap-keep --unshare
--hostname --ro --rw --exec --noexec --tmpfs --rw-limit --workdir --no-exec --no-fork --deny-write-execute
--signals --tcp-connect --tcp-bind --net --resolve --net-upstream-proxy --net-ports --net-max-conns --net-conn-timeout
--net-idle-timeout --net-deny-private --net-allow-cidr --net-deny-cidr --net-dns --env-keep --env-deny
--env-all --setenv --pass-fd --afl --verbose --quiet --help --version"

_tinyjail_learn_opts="--output --merge --force --cases --check --exact --plain-names --group-share --default-errno
--journal --static --strict --no-vdso --fuzz --budget --budget-execs --max-time --jobs --from --fuzz-dir --fuzz-seed"

_tinyjail() {
	local cur prev verb i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	verb=run
	case " $_tinyjail_verbs " in *" ${COMP_WORDS[1]} "*) verb=${COMP_WORDS[1]} ;; esac

	# In the run form, everything after the command belongs to the command.
	if [ "$verb" = run ]; then
		for ((i = 1; i < COMP_CWORD; i++)); do
			if [ "${COMP_WORDS[i]}" = -- ]; then
				_command_offset $((i + 1)) 2>/dev/null || COMPREPLY=($(compgen -c -- "$cur"))
				return
			fi
		done
	fi

	case $prev in
	-p | --profile)
		COMPREPLY=($(compgen -W "$(tinyjail profiles -q 2>/dev/null) none" -- "$cur") $(compgen -f -- "$cur"))
		return ;;
	--log | --json-status | --html | -o | --output | --bpf | --pfc | --oci | --spo | --rules | --write-back-to | --cases | --check)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--from | --journal)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--fuzz | --fuzz-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--ro | --rw | --exec | --noexec | --tmpfs | --rw-limit)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--allow-syscall | --deny-syscall)
		COMPREPLY=($(compgen -W "$(tinyjail groups 2>/dev/null | awk 'NR > 1 {print $1}')" -- "$cur"))
		return ;;
	--kill-via) COMPREPLY=($(compgen -W "supervisor kernel" -- "$cur")); return ;;
	--mode) COMPREPLY=($(compgen -W "enforce complain" -- "$cur")); return ;;
	--unshare) COMPREPLY=($(compgen -W "all user mount pid ipc uts net cgroup" -- "$cur")); return ;;
	--net) COMPREPLY=($(compgen -W "none host allow=" -- "$cur")); return ;;
	--user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
	esac

	if [ "$COMP_CWORD" -eq 1 ] && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -W "$_tinyjail_verbs" -- "$cur"))
		return
	fi
	case $verb in
	help) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$_tinyjail_verbs" -- "$cur")) ;;
	groups) COMPREPLY=($(compgen -W "$(tinyjail groups 2>/dev/null | awk 'NR > 1 {print $1}')" -- "$cur")) ;;
	report)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_tinyjail_opts report)" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	learn)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_tinyjail_learn_opts $_tinyjail_run_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -c -- "$cur") $(compgen -f -- "$cur"))
		fi ;;
	check | compile | diff | why)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_tinyjail_opts "$verb")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(tinyjail profiles -q 2>/dev/null)" -- "$cur") $(compgen -f -- "$cur"))
		fi ;;
	*)
		if [[ $cur == -* ]]; then
			local opts
			opts=$(_tinyjail_opts "$verb")
			COMPREPLY=($(compgen -W "${opts:-$_tinyjail_run_opts}" -- "$cur"))
		else
			COMPREPLY=($(compgen -c -- "$cur"))
		fi ;;
	esac
}
complete -F _tinyjail tinyjail
