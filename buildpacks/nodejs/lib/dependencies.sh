# Installing the app's dependencies with its package manager (see package-manager.sh),
# over the tree the last build installed when nothing it depends on changed (tree-cache.sh).
# shellcheck shell=bash

# run_logged LOGFILE COMMAND ARGS...: output indented and kept in LOGFILE.
run_logged() {
  local log=$1
  shift
  "$@" 2>&1 | tee -- "$log" | indent
}

# run_script NAME: `<manager> run NAME` when package.json has it; fails the build when it fails.
run_script() {
  pkg_field "scripts.$1"
  [[ -n $FIELD ]] || return 0
  detail "Running $1"
  if ! pm_run "$1" 2>&1 | indent; then fail_build_script "$1"; fi
}

# install_failed LOG COMMAND: a classified failure from what the manager printed.
install_failed() {
  local log=$1 command=$2
  if grep -q -e 'can only install packages when your package.json and package-lock.json' -e 'Your lockfile needs to be updated' \
    -e 'The lockfile would have been modified by this install' -e 'ERR_PNPM_OUTDATED_LOCKFILE' -- "$log"; then
    fail_lockfile_out_of_sync "$PM"
  fi
  if grep -q -e 'strict-allow-scripts' -e 'ESTRICTALLOWSCRIPTS' -e 'ERR_PNPM_IGNORED_BUILDS' -e 'Ignored build scripts' -- "$log"; then
    fail_install_scripts_blocked "$PM"
  fi
  local unreachable
  unreachable=$(unreachable_download "$log")
  if [[ -n $unreachable ]]; then fail_dependency_unreachable "$unreachable"; fi
  fail_install "$command"
}

# unreachable_download LOG: the first URL the manager could not reach (a name that did not
# resolve, a refused or timed-out connection), from npm's, yarn's or pnpm's words; nothing
# when the failure was of another kind, `?` when no address was printed. A git dependency's
# host is printed as git says it.
unreachable_download() {
  local lines url
  lines=$(grep -E 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH|Could not resolve host' -- "$1") || return 0
  url=$(grep -o -E "(https?|git\+https?|git\+ssh|ssh|git)://[^ \"'),]+" <<<"$lines" | head -n 1) || true
  if [[ -z $url ]]; then url=$(grep -o -E 'Could not resolve host: [^ ]+' <<<"$lines" | head -n 1) && url=${url#Could not resolve host: }; fi
  while [[ $url == *[:.] ]]; do url=${url%?}; done
  printf '%s' "${url:-?}"
}

install_with_npm() {
  local lockfile='' include=(--include=dev) use_cache=1 log=$1
  if [[ -f $BUILD_DIR/npm-shrinkwrap.json ]]; then lockfile=npm-shrinkwrap.json; elif [[ -f $BUILD_DIR/package-lock.json ]]; then lockfile=package-lock.json; fi
  if ((${NPM_VERSION%%.*} < 7)); then include=(--production=false); fi
  if [[ ${NPM_CONFIG_PRODUCTION:-} == true ]]; then include=(); fi
  if [[ -z $lockfile ]]; then
    warn "No package-lock.json: every build installs the newest versions allowed by package.json." \
      "Run \`npm install\` and commit package-lock.json for reproducible builds."
    detail "Installing node modules (npm install)"
    run_logged "$log" npm install "${include[@]}" || install_failed "$log" "npm install"
    return 0
  fi
  tree_cache_usable "$lockfile" || use_cache=0
  if ((use_cache == 1)); then
    cache_key
    if restore_tree; then
      # `npm ci` would delete the restored tree. On a key hit package.json and the
      # lockfile are the ones `npm ci` accepted for this tree, so its sync check would
      # pass again; `npm install` over the tree (lockfile left as it is) changes nothing
      # when the tree is complete, repairs it when not, and runs the app's install scripts.
      detail "Installing node modules over the restored tree (npm install --no-save, $lockfile)"
      run_logged "$log" npm install --no-save --prefer-offline "${include[@]}" || install_failed "$log" "npm install --no-save"
      return 0
    fi
  fi
  detail "Installing node modules (npm ci, $lockfile)"
  run_logged "$log" npm ci "${include[@]}" || install_failed "$log" "npm ci"
  if ((use_cache == 1)); then save_tree; fi
}

# install_over_tree LOCKFILE LOG NAME COMMAND...: COMMAND (NAME in a failure) over the cached tree when its key
# matches (from scratch otherwise); the tree is cached again after a fresh install. yarn
# and pnpm with a frozen lockfile check it against package.json whatever the tree holds.
install_over_tree() {
  local lockfile=$1 log=$2 name=$3 use_cache=0 restored=0
  shift 3
  if [[ -f $BUILD_DIR/$lockfile ]] && tree_cache_usable "$lockfile"; then use_cache=1; fi
  if ((use_cache == 1)); then
    cache_key
    if restore_tree; then restored=1; fi
  fi
  if ((restored == 1)); then detail "Installing node modules over the restored tree ($name)"; else detail "Installing node modules ($name)"; fi
  run_logged "$log" "$@" || install_failed "$log" "${name%%,*}"
  if ((use_cache == 1 && restored == 0)); then save_tree; fi
}

install_with_yarn() {
  local log=$1 args=(install)
  if [[ $PM_FLAVOR == berry ]]; then
    if [[ -f $BUILD_DIR/yarn.lock ]]; then args+=(--immutable); else warn "No yarn.lock: every build installs the newest versions allowed by package.json." "Run \`yarn install\` and commit yarn.lock."; fi
    if [[ $PM_LINKER == pnp ]]; then pnp_cache_restore; fi
  else
    if [[ -f $BUILD_DIR/yarn.lock ]]; then
      args+=(--frozen-lockfile)
      point_yarn_lock_at_registry
    fi
    args+=(--production=false --non-interactive)
  fi
  local name="yarn ${args[*]}"
  if [[ $PM_FLAVOR == berry ]]; then name+=", linker: $PM_LINKER"; fi
  install_over_tree yarn.lock "$log" "$name" yarn "${args[@]}"
  if [[ $PM_LINKER == pnp ]]; then pnp_cache_save; fi
}

# yarn 1 downloads from the URLs in yarn.lock, whatever registry it is given: the
# public registries' URLs are pointed at the registry npm uses (the build's copy only;
# the original is put back by restore_yarn_lock).
point_yarn_lock_at_registry() {
  local registry=${YARN_REGISTRY%/}
  case $registry in https://registry.yarnpkg.com | https://registry.npmjs.org | '') return 0 ;; esac
  cp -p -- "$BUILD_DIR/yarn.lock" "$BUILD_DIR/.heroku/yarn.lock.orig"
  "$BOOTSTRAP_NODE" "$LIB_DIR/registry.cjs" point-yarn-lock "$BUILD_DIR/yarn.lock" "$registry"
}

restore_yarn_lock() {
  if [[ -f $BUILD_DIR/.heroku/yarn.lock.orig ]]; then mv -f -- "$BUILD_DIR/.heroku/yarn.lock.orig" "$BUILD_DIR/yarn.lock"; fi
}

install_with_pnpm() {
  local log=$1 args=(install)
  if [[ -f $BUILD_DIR/pnpm-lock.yaml ]]; then args+=(--frozen-lockfile --prefer-offline); else warn "No pnpm-lock.yaml: every build installs the newest versions allowed by package.json." "Run \`pnpm install\` and commit pnpm-lock.yaml."; fi
  # devDependencies are needed by the build; they are pruned afterwards.
  install_over_tree pnpm-lock.yaml "$log" "pnpm ${args[*]}" env NODE_ENV=development pnpm "${args[@]}"
}

install_dependencies() {
  local log
  log=$(mktemp)
  tree_paths
  case $PM in
    npm) install_with_npm "$log" ;;
    yarn) install_with_yarn "$log" ;;
    pnpm) install_with_pnpm "$log" ;;
  esac
  rm -f -- "$log"
}

prune_dev_dependencies() {
  pkg_field devDependencies
  if [[ ${NPM_CONFIG_PRODUCTION:-} == false || ${YARN_PRODUCTION:-} == false ]]; then
    detail "Skipping pruning because NPM_CONFIG_PRODUCTION is false"
    return 0
  elif [[ -z $FIELD ]]; then
    detail "No devDependencies to prune"
    return 0
  fi
  detail "Pruning devDependencies"
  case $PM in
    npm)
      local omit=(--omit=dev)
      if ((${NPM_VERSION%%.*} < 7)); then omit=(--production); fi
      npm prune "${omit[@]}" 2>&1 | indent || fail_install "npm prune"
      ;;
    yarn)
      if [[ $PM_FLAVOR == classic ]]; then
        yarn install --frozen-lockfile --production=true --ignore-scripts --prefer-offline --non-interactive 2>&1 | indent || fail_install "yarn install --production=true"
        restore_yarn_lock
      elif ((${PM_VERSION%%.*} >= 4)); then
        yarn workspaces focus --all --production 2>&1 | indent || fail_install "yarn workspaces focus --all --production"
      else
        detail "yarn $PM_VERSION cannot prune without its workspace-tools plugin: devDependencies stay"
      fi
      ;;
    pnpm)
      pnpm prune --prod --ignore-scripts 2>&1 | indent || fail_install "pnpm prune --prod"
      ;;
  esac
}
