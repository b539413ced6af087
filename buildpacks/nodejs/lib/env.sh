# Config vars from ENV_DIR (one file per key) into the build's environment, like
# Heroku's export_env_dir: values are assigned, never evaluated, and variables that
# would break the build itself are left alone.
# shellcheck shell=bash

export_env_dir() { # env_dir
  local dir=$1 file key value
  [[ -d $dir ]] || return 0
  for file in "$dir"/*; do
    [[ -f $file ]] || continue
    key=${file##*/}
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    case $key in
      PATH | GIT_DIR | CPATH | CPPATH | LD_PRELOAD | LIBRARY_PATH | LD_LIBRARY_PATH | JAVA_OPTS | HOME | TMPDIR | STACK | \
        BASH_ENV | ENV | SHELLOPTS | BASHOPTS | IFS | PS4 | PROMPT_COMMAND | BUILD_DIR | CACHE_DIR | ENV_DIR | BP_DIR | LIB_DIR)
        continue
        ;;
    esac
    value=$(cat -- "$file")
    export "$key=$value"
  done
}
