# Installing the app's dependencies with npm, with node_modules cached between
# builds under a key of the lockfile, node and npm versions: an unchanged lockfile
# restores node_modules and downloads nothing.
# shellcheck shell=bash

# cache_key LOCKFILE: in CACHE_KEY.
cache_key() {
  local lockfile=$1
  CACHE_KEY=$({
    printf 'node %s npm %s stack %s arch %s production %s\n' "$NODE_VERSION" "$NPM_VERSION" "${STACK:-}" "$(uname -m)" "${NPM_CONFIG_PRODUCTION:-}"
    sha256sum <"$BUILD_DIR/$lockfile"
    if [[ -f $BUILD_DIR/.npmrc ]]; then sha256sum <"$BUILD_DIR/.npmrc"; fi
  } | sha256sum | cut -d' ' -f1)
}

# run_npm LOGFILE ARGS...: npm with its output indented and kept in LOGFILE.
run_npm() {
  local log=$1
  shift
  npm "$@" 2>&1 | tee -- "$log" | indent
}

# run_script NAME: `npm run NAME` when package.json has it; fails the build when it fails.
run_script() {
  pkg_field "scripts.$1"
  [[ -n $FIELD ]] || return 0
  detail "Running $1"
  if ! npm run "$1" 2>&1 | indent; then fail_build_script "$1"; fi
}

restore_node_modules() {
  detail "Restoring node_modules from cache (lockfile unchanged)"
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

install_dependencies() {
  local lockfile='' log include=(--include=dev) npm_major=${NPM_VERSION%%.*}
  if [[ -f $BUILD_DIR/npm-shrinkwrap.json ]]; then lockfile=npm-shrinkwrap.json; elif [[ -f $BUILD_DIR/package-lock.json ]]; then lockfile=package-lock.json; fi
  if [[ -f $BUILD_DIR/yarn.lock || -f $BUILD_DIR/pnpm-lock.yaml ]]; then
    warn "yarn.lock or pnpm-lock.yaml found: this buildpack installs with npm only." "Commit a package-lock.json (run \`npm install\`) to pin versions."
  fi
  if ((npm_major < 7)); then include=(--production=false); fi
  if [[ ${NPM_CONFIG_PRODUCTION:-} == true ]]; then include=(); fi
  if [[ -z $lockfile ]]; then
    warn "No package-lock.json: every build installs the newest versions allowed by package.json." \
      "Run \`npm install\` and commit package-lock.json for reproducible builds."
  else
    cache_key "$lockfile"
    if [[ -d $BUILD_DIR/node_modules ]]; then
      warn "node_modules is checked into the repository: it is reinstalled; add node_modules to .gitignore."
    elif [[ -d $NODEJS_CACHE/node_modules && -f $NODEJS_CACHE/node_modules.key && $(<"$NODEJS_CACHE/node_modules.key") == "$CACHE_KEY" ]]; then
      restore_node_modules
      return 0
    fi
  fi
  log=$(mktemp)
  if [[ -n $lockfile ]]; then
    detail "Installing node modules (npm ci, $lockfile)"
    if ! run_npm "$log" ci "${include[@]}"; then
      if grep -q 'can only install packages when your package.json and package-lock.json' -- "$log"; then fail_lockfile_out_of_sync; fi
      fail_install "npm ci"
    fi
    save_node_modules
  else
    detail "Installing node modules (npm install)"
    run_npm "$log" install "${include[@]}" || fail_install "npm install"
  fi
  rm -f -- "$log"
}

prune_dev_dependencies() {
  pkg_field devDependencies
  if [[ ${NPM_CONFIG_PRODUCTION:-} == false ]]; then
    detail "Skipping pruning because NPM_CONFIG_PRODUCTION is false"
  elif [[ -z $FIELD ]]; then
    detail "No devDependencies to prune"
  else
    detail "Pruning devDependencies"
    local omit=(--omit=dev)
    if ((${NPM_VERSION%%.*} < 7)); then omit=(--production); fi
    npm prune "${omit[@]}" 2>&1 | indent || fail_install "npm prune"
  fi
}
