# The installed tree kept between builds, for every package manager: CACHE_DIR/nodejs/tree
# holds what an install leaves in the app (node_modules; with yarn's Plug'n'Play,
# .yarn/unplugged and .yarn/install-state.gz), tree.key the key it was installed under,
# tree.files a hash of the paths it holds.
#
# The key covers everything that decides what an install produces: the lockfile, every
# package.json (workspaces too), the managers' rc files, node, npm and manager versions,
# stack, arch and the config vars that change installs. A hit restores the tree and the
# manager's install still runs over it: over a complete tree it changes nothing (and is
# fast), over a damaged one it repairs what is missing. A miss drops the tree and
# installs from scratch, so an install that would fail without a cache (a package.json
# out of sync with its lockfile) fails the same way, with the manager's own message.
# shellcheck shell=bash

# Config vars that change what an install produces (their values are part of the key).
INSTALL_CONFIG_PATTERN='^(NPM_CONFIG_|npm_config_|YARN_|PNPM_|pnpm_config_|NODE_ENV$|NODE_OPTIONS$|NODE_MODULES_CACHE$|CC$|CXX$|CFLAGS$|CXXFLAGS$|LDFLAGS$|PYTHON$)'

# install_inputs: the files an install reads, one path a line, sorted.
install_inputs() {
  find . \( -name node_modules -o -name .git -o -path ./.heroku -o -path ./.yarn/cache -o -path ./.yarn/unplugged \) -prune -o -type f \
    \( -name package.json -o -name package-lock.json -o -name npm-shrinkwrap.json -o -name yarn.lock -o -name pnpm-lock.yaml \
    -o -name .npmrc -o -name .yarnrc -o -name .yarnrc.yml -o -name pnpm-workspace.yaml -o -name .pnpmfile.cjs -o -name '*.patch' \) -print |
    LC_ALL=C sort
}

# cache_key: in CACHE_KEY.
cache_key() {
  local file key
  CACHE_KEY=$({
    printf 'node %s npm %s manager %s %s %s stack %s arch %s\n' "$NODE_VERSION" "$NPM_VERSION" "$PM" "${PM_VERSION:-}" "${PM_LINKER:-}" "${STACK:-}" "$(uname -m)"
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

# tree_paths: in TREE_PATHS, what the manager's install leaves in the app for the next one.
tree_paths() {
  TREE_PATHS=(node_modules)
  if [[ $PM == yarn && $PM_FLAVOR == berry ]]; then
    # PnP keeps packages as zip archives in .yarn/cache (kept as a download cache, see
    # pnp_cache_restore); what it builds goes to .yarn/unplugged.
    if [[ $PM_LINKER == pnp ]]; then TREE_PATHS=(.yarn/unplugged .yarn/install-state.gz); else TREE_PATHS=(node_modules .yarn/install-state.gz); fi
  fi
}

# tree_cache_usable LOCKFILE: whether the tree cache may be used for this app (says why not).
tree_cache_usable() {
  local lockfile=$1 path
  if [[ ${NODE_MODULES_CACHE:-} == false ]]; then
    detail "NODE_MODULES_CACHE=false: not using the node_modules cache"
    return 1
  fi
  for path in "${TREE_PATHS[@]}"; do
    if [[ -e $BUILD_DIR/$path ]]; then
      warn "$path is checked into the repository: it is reinstalled; add $path to .gitignore."
      return 1
    fi
  done
  local local_packages='"resolved": "file:[^"]*\.(tgz|tar|tar\.gz)"'
  if [[ $PM != npm ]]; then local_packages='(^|[@" ])file:'; fi
  if grep -qE -- "$local_packages" "$BUILD_DIR/$lockfile" ||
    [[ ${npm_config_install_links:-${NPM_CONFIG_INSTALL_LINKS:-}} == true ]] ||
    { [[ -f $BUILD_DIR/.npmrc ]] && grep -qE '^[[:space:]]*install-links[[:space:]]*=[[:space:]]*true' -- "$BUILD_DIR/.npmrc"; }; then
    # Local packages copied into the tree come from files the key does not cover.
    # (Workspaces and other local folders are links into the source tree: always fresh.)
    detail "The lockfile has local packages copied into node_modules: installing without the node_modules cache"
    return 1
  fi
  return 0
}

# restore_tree: the cached tree into the app when its key is CACHE_KEY (status 0), else drops it (status 1).
restore_tree() {
  local path
  rm -rf -- "$NODEJS_CACHE/node_modules" "$NODEJS_CACHE/node_modules.key" # the layout before tree/
  if [[ ! -d $NODEJS_CACHE/tree || ! -f $NODEJS_CACHE/tree.key || $(<"$NODEJS_CACHE/tree.key") != "$CACHE_KEY" ]]; then
    drop_tree_cache
    return 1
  fi
  # A file deleted from the cached tree would be missed by the install (it checks
  # packages, not their files): the tree must hold the files it was saved with.
  if [[ ! -f $NODEJS_CACHE/tree.files || $(tree_listing) != "$(<"$NODEJS_CACHE/tree.files")" ]]; then
    detail "The cached tree does not hold the files it was saved with: installing from scratch"
    drop_tree_cache
    return 1
  fi
  detail "Restoring $(IFS=,; printf '%s' "${TREE_PATHS[*]}" | sed 's/,/, /g') from cache (lockfile, package.json files and settings unchanged)"
  for path in "${TREE_PATHS[@]}"; do
    # An app without dependencies has no node_modules to restore.
    [[ -e $NODEJS_CACHE/tree/$path ]] || continue
    mkdir -p -- "$(dirname -- "$BUILD_DIR/$path")"
    cp -a -- "$NODEJS_CACHE/tree/$path" "$BUILD_DIR/$path"
  done
}

# save_tree: the tree the install just left, under CACHE_KEY (before devDependencies are pruned).
save_tree() {
  local path part="$NODEJS_CACHE/tree.part"
  detail "Caching $(IFS=,; printf '%s' "${TREE_PATHS[*]}" | sed 's/,/, /g') for the next build"
  drop_tree_cache
  rm -rf -- "$part"
  mkdir -p -- "$part"
  for path in "${TREE_PATHS[@]}"; do
    [[ -e $BUILD_DIR/$path ]] || continue
    mkdir -p -- "$(dirname -- "$part/$path")"
    cp -a -- "$BUILD_DIR/$path" "$part/$path"
  done
  mv -- "$part" "$NODEJS_CACHE/tree"
  tree_listing >"$NODEJS_CACHE/tree.files"
  printf '%s\n' "$CACHE_KEY" >"$NODEJS_CACHE/tree.key"
}

# tree_listing: a hash of the cached tree's paths and their types (not their contents:
# reading every file would cost what the cache saves).
tree_listing() {
  (cd -- "$NODEJS_CACHE/tree" && find . -printf '%p %y\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
}

drop_tree_cache() {
  rm -f -- "$NODEJS_CACHE/tree.key" "$NODEJS_CACHE/tree.files"
  rm -rf -- "$NODEJS_CACHE/tree"
}

# pnp_cache_restore: yarn's Plug'n'Play package archives (.yarn/cache) from the build cache.
# They are content-addressed and checked against yarn.lock's checksums, so they are kept
# whatever the key, like a download cache; archives the app commits (zero-installs) win.
pnp_cache_restore() {
  local kept="$NODEJS_CACHE/yarn-pnp-cache"
  [[ -d $kept ]] || return 0
  mkdir -p -- "$BUILD_DIR/.yarn/cache"
  # Hard links when the cache is on the same filesystem: yarn never rewrites an archive.
  cp -a -n --link -- "$kept/." "$BUILD_DIR/.yarn/cache/" 2>/dev/null || cp -a -n -- "$kept/." "$BUILD_DIR/.yarn/cache/"
}

# pnp_cache_save: .yarn/cache as the install left it, for the next build.
pnp_cache_save() {
  local kept="$NODEJS_CACHE/yarn-pnp-cache"
  [[ -d $BUILD_DIR/.yarn/cache ]] || return 0
  rm -rf -- "$kept.part"
  cp -a --link -- "$BUILD_DIR/.yarn/cache" "$kept.part" 2>/dev/null || { rm -rf -- "$kept.part" && cp -a -- "$BUILD_DIR/.yarn/cache" "$kept.part"; }
  rm -rf -- "$kept"
  mv -- "$kept.part" "$kept"
}
