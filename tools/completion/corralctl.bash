# shellcheck shell=bash
# bash completion for corralctl: verbs, options, machine names and image
# names. Names come from corralctl itself (list --all / images with
# --no-legend), so they follow --bus when it was given on the line.

_corralctl() {
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
        local verbs="list status show start stop reboot terminate kill enable disable login shell
                     logs images import-tar import-oci import-docker remove-image daemon-reload help"
        local opts="--help --version --no-pager --no-legend --bus --json --all --property --value
                    --no-block --signal --kill-whom --follow --lines --uid --setenv"
        local i verb="" bus=()

        for ((i = 1; i < COMP_CWORD; i++)); do
                case ${COMP_WORDS[i]} in
                --bus) bus=(--bus "${COMP_WORDS[i+1]}") ;;
                --bus=*) bus=("${COMP_WORDS[i]}") ;;
                -*) ;;
                *) if [[ -z $verb && ${COMP_WORDS[i-1]} != @(--bus|-p|--property|-s|--signal|--kill-whom|-n|--lines|--uid|-E|--setenv) ]]; then
                           verb=${COMP_WORDS[i]}
                   fi ;;
                esac
        done

        case $prev in
        -s|--signal)
                COMPREPLY=($(compgen -W "SIGTERM SIGKILL SIGINT SIGHUP SIGUSR1 SIGUSR2 SIGQUIT SIGWINCH SIGCONT" -- "$cur"))
                return ;;
        --kill-whom)
                COMPREPLY=($(compgen -W "leader all" -- "$cur"))
                return ;;
        --json)
                COMPREPLY=($(compgen -W "short pretty" -- "$cur"))
                return ;;
        --bus|-p|--property|-n|--lines|--uid|-E|--setenv)
                return ;;
        esac

        if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
                return
        fi

        case $verb in
        "")
                COMPREPLY=($(compgen -W "$verbs" -- "$cur")) ;;
        help)
                COMPREPLY=($(compgen -W "$verbs" -- "$cur")) ;;
        status|show|start|stop|reboot|terminate|kill|enable|disable|login|shell|logs)
                local names
                names=$(corralctl "${bus[@]}" --no-legend --no-pager list --all 2>/dev/null | awk '{ print $1 }')
                COMPREPLY=($(compgen -W "$names" -- "$cur")) ;;
        remove-image)
                local images
                images=$(corralctl "${bus[@]}" --no-legend --no-pager images 2>/dev/null | awk '{ print $1 }')
                COMPREPLY=($(compgen -W "$images" -- "$cur")) ;;
        import-tar|import-docker|import-oci)
                COMPREPLY=($(compgen -f -- "$cur")) ;;
        esac
}
complete -F _corralctl corralctl
