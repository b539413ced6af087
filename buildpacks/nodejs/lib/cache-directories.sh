# The app's own build caches: package.json's `cacheDirectories` (Heroku's name; also
# `cache_directories`) lists directories kept from one build to the next besides the
# installed tree, such as Next.js's `.next/cache`. They are put back before the build
# (a path the app's source already has is left alone) and kept again after it; a build
# that fails keeps nothing new. node_modules and yarn's trees are kept by the tree cache
# under its key (tree-cache.sh), never here.
# shellcheck shell=bash

CACHE_DIRECTORIES_ROOT="$NODEJS_CACHE/directories"

# cache_directories: in CACHE_DIRECTORIES, the app's listed paths that may be kept (says why others are not).
cache_directories() {
  local list path
  CACHE_DIRECTORIES=()
  pkg_field cacheDirectories
  list=$FIELD
  if [[ -z $list ]]; then
    pkg_field cache_directories
    list=$FIELD
  fi
  [[ -n $list ]] || return 0
  while IFS= read -r path; do
    path=${path#./}
    while [[ $path == */ ]]; do path=${path%/}; done
    [[ -n $path ]] || continue
    if [[ $path == /* || /$path/ == */../* || /$path/ == */./* ]]; then
      warn "cacheDirectories: \"$path\" is not kept: list paths inside the app, relative to package.json (like .next/cache)."
      continue
    fi
    case $path in
      node_modules | node_modules/* | .yarn/cache | .yarn/unplugged | .yarn/install-state.gz)
        detail "- $path (kept by the dependency cache)"
        continue
        ;;
    esac
    CACHE_DIRECTORIES+=("$path")
  done <<<"$list"
}

# inside_app PATH: whether BUILD_DIR/PATH resolves inside BUILD_DIR (no symlink leads out).
inside_app() {
  local resolved
  resolved=$(realpath -m -- "$BUILD_DIR/$1") || return 1
  [[ $resolved == "$(realpath -- "$BUILD_DIR")"/* ]]
}

restore_cache_directories() {
  local path
  cache_directories
  ((${#CACHE_DIRECTORIES[@]} > 0)) || return 0
  step "Restoring cache directories (cacheDirectories)"
  if [[ ${NODE_MODULES_CACHE:-} == false ]]; then
    detail "NODE_MODULES_CACHE=false: not restoring them"
    return 0
  fi
  for path in "${CACHE_DIRECTORIES[@]}"; do
    if [[ -e $BUILD_DIR/$path || -L $BUILD_DIR/$path ]]; then
      detail "- $path (in the app's source: left as it is)"
    elif [[ -d $CACHE_DIRECTORIES_ROOT/$path ]] && inside_app "$path"; then
      mkdir -p -- "$(dirname -- "$BUILD_DIR/$path")"
      mv -- "$CACHE_DIRECTORIES_ROOT/$path" "$BUILD_DIR/$path"
      detail "- $path"
    else
      detail "- $path (not cached yet)"
    fi
  done
}

save_cache_directories() {
  local path
  ((${#CACHE_DIRECTORIES[@]} > 0)) || return 0
  rm -rf -- "$CACHE_DIRECTORIES_ROOT"
  for path in "${CACHE_DIRECTORIES[@]}"; do
    [[ -d $BUILD_DIR/$path && ! -L $BUILD_DIR/$path ]] && inside_app "$path" || continue
    mkdir -p -- "$(dirname -- "$CACHE_DIRECTORIES_ROOT/$path")"
    # Hard links where the cache and the build share a filesystem: nothing is copied.
    cp -al -- "$BUILD_DIR/$path" "$CACHE_DIRECTORIES_ROOT/$path" 2>/dev/null ||
      { rm -rf -- "${CACHE_DIRECTORIES_ROOT:?}/$path" && cp -a -- "$BUILD_DIR/$path" "$CACHE_DIRECTORIES_ROOT/$path"; }
    detail "Caching $path for the next build"
  done
}
