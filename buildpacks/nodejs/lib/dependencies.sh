# Installing the app's dependencies with its package manager (see package-manager.sh).
#
# npm's node_modules is cached under a key of everything `npm ci` reads: the lockfile,
# every package.json (workspaces too), .npmrc, node and npm versions, stack, arch and
# the install-affecting config vars. `npm ci` installs exactly the lockfile's tree, so a
# tree installed from the same inputs is the tree `npm ci` would install again: an
# unchanged key restores it; any change (a package.json out of sync with the lockfile
# included) runs `npm ci`, which then fails or succeeds as it would without a cache.
# yarn and pnpm always install, from their own download caches kept in CACHE_DIR.
# shellcheck shell=bash

# Config vars that change what an install produces (their values are part of the key).
INSTALL_CONFIG_PATTERN='^(NPM_CONFIG_|npm_config_|YARN_|PNPM_|pnpm_config_|NODE_ENV$|NODE_OPTIONS$|NODE_MODULES_CACHE$|CC$|CXX$|CFLAGS$|CXXFLAGS$|LDFLAGS$|PYTHON$)'

# install_inputs: the files an install reads, one path a line, sorted.
install_inputs() {
  find . \( -name node_modules -o -name .git -o -path ./.heroku \) -prune -o -type f \
    \( -name package.json -o -name package-lock.json -o -name npm-shrinkwrap.json -o -name yarn.lock -o -name pnpm-lock.yaml \
    -o -name .npmrc -o -name .yarnrc -o -name .yarnrc.yml -o -name pnpm-workspace.yaml -o -name .pnpmfile.cjs -o -name '*.patch' \) -print |
    LC_ALL=C sort
}

# cache_key: in CACHE_KEY.
cache_key() {
  local file key
  CACHE_KEY=$({
    printf 'node %s npm %s manager %s %s stack %s arch %s\n' "$NODE_VERSION" "$NPM_VERSION" "$PM" "${PM_VERSION:-}" "${STACK:-}" "$(uname -m)"
    install_inputs | while IFS= read -r file; do printf '%s %s\n' "$(sha256sum <"$file" | cut -d' ' -f1)" "$file"; done
    if [[ -d ${ENV_DIR:-} ]]; then
      for file in "$ENV_DIR"/*; do
        key=${file##*/}
        [[ -f $file && $key =~ $INSTALL_CONFIG_PATTERN ]] || continue
        printf 'config %s %s\n' "$key" "$(sha256sum <"$file" | cut -d' ' -f1)"
      done
    fi
  } | sha256sum | cut -d' ' -f1)
}

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

restore_node_modules() {
  detail "Restoring node_modules from cache (lockfile, package.json files and settings unchanged)"
  # An app without dependencies has an empty cached tree, and no node_modules.
  if [[ -n $(ls -A -- "$NODEJS_CACHE/node_modules") ]]; then
    cp -a -- "$NODEJS_CACHE/node_modules" "$BUILD_DIR/node_modules"
  fi
  # `npm ci` would have run the app's own install scripts: run them as it would.
  local script
  for script in preinstall install postinstall prepare; do run_script "$script"; done
}

save_node_modules() {
  detail "Caching node_modules for the next build"
  rm -f -- "$NODEJS_CACHE/node_modules.key"
  rm -rf -- "$NODEJS_CACHE/node_modules" "$NODEJS_CACHE/node_modules.part"
  if [[ -d $BUILD_DIR/node_modules ]]; then
    cp -a -- "$BUILD_DIR/node_modules" "$NODEJS_CACHE/node_modules.part"
  else
    mkdir -p -- "$NODEJS_CACHE/node_modules.part"
  fi
  mv -- "$NODEJS_CACHE/node_modules.part" "$NODEJS_CACHE/node_modules"
  printf '%s\n' "$CACHE_KEY" >"$NODEJS_CACHE/node_modules.key"
}

drop_node_modules_cache() {
  rm -rf -- "$NODEJS_CACHE/node_modules" "$NODEJS_CACHE/node_modules.key"
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
  fail_install "$command"
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
  if [[ ${NODE_MODULES_CACHE:-} == false ]]; then
    detail "NODE_MODULES_CACHE=false: not using the node_modules cache"
    use_cache=0
  elif [[ -d $BUILD_DIR/node_modules ]]; then
    warn "node_modules is checked into the repository: it is reinstalled; add node_modules to .gitignore."
    use_cache=0
  elif grep -qE '"resolved": "file:[^"]*\.(tgz|tar|tar\.gz)"' -- "$BUILD_DIR/$lockfile" ||
    [[ ${npm_config_install_links:-${NPM_CONFIG_INSTALL_LINKS:-}} == true ]] ||
    { [[ -f $BUILD_DIR/.npmrc ]] && grep -qE '^[[:space:]]*install-links[[:space:]]*=[[:space:]]*true' -- "$BUILD_DIR/.npmrc"; }; then
    # Local packages copied into node_modules come from files the key does not cover.
    # (Workspaces and other local folders are links into the source tree: always fresh.)
    detail "The lockfile has local packages copied into node_modules: installing without the node_modules cache"
    use_cache=0
  fi
  if ((use_cache == 1)); then
    cache_key
    if [[ -d $NODEJS_CACHE/node_modules && -f $NODEJS_CACHE/node_modules.key && $(<"$NODEJS_CACHE/node_modules.key") == "$CACHE_KEY" ]]; then
      restore_node_modules
      return 0
    fi
  fi
  drop_node_modules_cache
  detail "Installing node modules (npm ci, $lockfile)"
  run_logged "$log" npm ci "${include[@]}" || install_failed "$log" "npm ci"
  if ((use_cache == 1)); then save_node_modules; fi
}

install_with_yarn() {
  local log=$1 args=(install)
  if [[ $PM_FLAVOR == berry ]]; then
    if [[ -f $BUILD_DIR/yarn.lock ]]; then args+=(--immutable); else warn "No yarn.lock: every build installs the newest versions allowed by package.json." "Run \`yarn install\` and commit yarn.lock."; fi
    detail "Installing node modules (yarn ${args[*]})"
  else
    if [[ -f $BUILD_DIR/yarn.lock ]]; then
      args+=(--frozen-lockfile)
      point_yarn_lock_at_registry
    fi
    args+=(--production=false --non-interactive)
    detail "Installing node modules (yarn ${args[*]})"
  fi
  run_logged "$log" yarn "${args[@]}" || install_failed "$log" "yarn ${args[*]}"
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
  if [[ -f $BUILD_DIR/pnpm-lock.yaml ]]; then args+=(--frozen-lockfile); else warn "No pnpm-lock.yaml: every build installs the newest versions allowed by package.json." "Run \`pnpm install\` and commit pnpm-lock.yaml."; fi
  detail "Installing node modules (pnpm ${args[*]})"
  # devDependencies are needed by the build; they are pruned afterwards.
  run_logged "$log" env NODE_ENV=development pnpm "${args[@]}" || install_failed "$log" "pnpm ${args[*]}"
}

install_dependencies() {
  local log
  log=$(mktemp)
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
