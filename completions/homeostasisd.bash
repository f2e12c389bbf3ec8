# bash completion for homeostasisd (needs the bash-completion package's helpers); installed as
# /usr/share/bash-completion/completions/homeostasisd.

_homeostasisd() {
    local cur prev words cword split
    _init_completion -s || return

    # The built-in formats (parsers/builtin.cc); user-defined ones are in the config.
    local formats="json homeostasis syslog bracket python logfmt java klog access_log logcat
        apache_error nginx_error postgres mysql_error redis w3c uwsgi tai64n epoch golog winston
        dotnet_console serilog env_logger php_error elixir jul zerolog log4js tracing loguru erlang
        pino_pretty generic text"

    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "run check parse detect tap version --help --version" -- "$cur"))
        return
    fi

    case $prev in
        --config)
            _filedir '@(yaml|yml)'
            return
            ;;
        --format)
            [[ ${words[1]} == parse ]] && COMPREPLY=($(compgen -W "auto $formats" -- "$cur"))
            return
            ;;
        --min-level | --level)
            [[ ${words[1]} == parse || ${words[1]} == tap ]] &&
                COMPREPLY=($(compgen -W "DEBUG INFO WARNING ERROR CRITICAL" -- "$cur"))
            return
            ;;
        --service | --fingerprint | --count)
            return
            ;;
    esac
    $split && return

    local options
    case ${words[1]} in
        run | check | detect) options="--config --help" ;;
        parse) options="--config --format --service --min-level --help" ;;
        tap) options="--config --service --level --fingerprint --count --help" ;;
        version) options="--help" ;;
        *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    case ${words[1]} in
        parse | detect) _filedir ;;  # detect takes directories too; _filedir offers both
    esac
} &&
    complete -F _homeostasisd homeostasisd
