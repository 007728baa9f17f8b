# bash completion for driftd(1). Install as
# /usr/share/bash-completion/completions/driftd.
_driftd()
{
	local cur prev words cword
	_init_completion || return
	local commands="apply aws drift graph plan policy reconcile reload run status validate version help"

	if [ "$cword" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi
	case "$prev" in
	--config|--state-dir)
		_filedir -d
		return ;;
	--env)
		return ;;
	esac
	case "${words[1]}" in
	validate)
		_filedir -d ;;
	policy)
		COMPREPLY=($(compgen -W "--config --account --partition --env --boundary" -- "$cur")) ;;
	graph)
		COMPREPLY=($(compgen -W "--config" -- "$cur")) ;;
	plan)
		COMPREPLY=($(compgen -W "--config --state-dir --env --json --no-color --detailed-exitcode" -- "$cur")) ;;
	apply)
		COMPREPLY=($(compgen -W "--config --state-dir --env --json --no-color --auto-approve" -- "$cur")) ;;
	run)
		COMPREPLY=($(compgen -W "--config --state-dir --env --interval" -- "$cur")) ;;
	drift)
		COMPREPLY=($(compgen -W "--json --env --state-dir --history --since --address" -- "$cur")) ;;
	status|reconcile|reload)
		COMPREPLY=($(compgen -W "--json --env" -- "$cur")) ;;
	esac
}
complete -F _driftd driftd
