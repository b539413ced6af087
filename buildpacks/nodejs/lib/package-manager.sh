# Which package manager installs the app (npm, yarn classic, yarn berry, pnpm) and at
# which version, and installing yarn or pnpm from the npm registry into the slug
# (.heroku/<manager>, linked from .heroku/node/bin so `yarn start` works at run time).
# Needs runtime.sh. Sets PM (npm|yarn|pnpm), PM_VERSION, PM_FLAVOR (yarn: classic|berry),
# PM_LINKER (yarn berry: pnp|node-modules|pnpm).
# shellcheck shell=bash

# detect_package_manager: from `packageManager`, then the lockfiles, then npm.
detect_package_manager() {
  local locks=() spec
  [[ -f $BUILD_DIR/package-lock.json || -f $BUILD_DIR/npm-shrinkwrap.json ]] && locks+=(package-lock.json)
  [[ -f $BUILD_DIR/yarn.lock ]] && locks+=(yarn.lock)
  [[ -f $BUILD_DIR/pnpm-lock.yaml ]] && locks+=(pnpm-lock.yaml)
  pkg_field packageManager
  spec=$FIELD
  PM_RANGE=
  if [[ -n $spec ]]; then
    if [[ ! $spec =~ ^(npm|yarn|pnpm)@([0-9]+\.[0-9]+\.[0-9]+[^+]*)(\+.*)?$ ]]; then fail_invalid_package_manager "$spec"; fi
    PM=${BASH_REMATCH[1]}
    PM_RANGE=${BASH_REMATCH[2]}
    PM_SOURCE="packageManager (package.json)"
  elif ((${#locks[@]} > 1)); then
    fail_multiple_lockfiles "${locks[*]}"
  elif ((${#locks[@]} == 1)); then
    case ${locks[0]} in
      yarn.lock) PM=yarn ;;
      pnpm-lock.yaml) PM=pnpm ;;
      *) PM=npm ;;
    esac
    PM_SOURCE="${locks[0]}"
  else
    PM=npm
    PM_SOURCE="no lockfile"
  fi
  if [[ $PM != npm && -z $PM_RANGE ]]; then
    pkg_field "engines.$PM"
    PM_RANGE=$FIELD
  fi
  PM_FLAVOR=
  PM_LINKER=
  if [[ $PM == yarn ]]; then
    PM_FLAVOR=classic
    if [[ -n $PM_RANGE ]]; then
      # The first major the range names: 1 is classic, 2 and later berry.
      if [[ $PM_RANGE =~ ^[^0-9]*([0-9]+) ]] && ((BASH_REMATCH[1] >= 2)); then PM_FLAVOR=berry; fi
    elif [[ -f $BUILD_DIR/.yarnrc.yml ]] || { [[ -f $BUILD_DIR/yarn.lock ]] && grep -q '^__metadata:' -- "$BUILD_DIR/yarn.lock"; }; then
      PM_FLAVOR=berry
    fi
    if [[ -z $PM_RANGE ]]; then
      if [[ $PM_FLAVOR == berry ]]; then PM_RANGE=4.x; else PM_RANGE=1.x; fi
    fi
    if [[ $PM_FLAVOR == berry ]]; then yarn_linker; fi
  elif [[ $PM == pnpm && -z $PM_RANGE ]]; then
    # The newest pnpm that writes the lockfile's format and ships as JavaScript.
    case $(sed -n "s/^lockfileVersion: *'\{0,1\}\([0-9.]*\).*/\1/p" -- "$BUILD_DIR/pnpm-lock.yaml" 2>/dev/null) in
      5.*) PM_RANGE=7.x ;;
      6.*) PM_RANGE=8.x ;;
      *) PM_RANGE=10.x ;;
    esac
  fi
}

# yarn_linker: in PM_LINKER, yarn berry's nodeLinker: YARN_NODE_LINKER, else .yarnrc.yml,
# else yarn's own default, Plug'n'Play.
yarn_linker() {
  PM_LINKER=${YARN_NODE_LINKER:-}
  if [[ -z $PM_LINKER && -f $BUILD_DIR/.yarnrc.yml ]]; then
    PM_LINKER=$(sed -n "s/^nodeLinker:[[:space:]]*[\"']\{0,1\}\([a-z-]*\).*/\1/p" -- "$BUILD_DIR/.yarnrc.yml" | head -n 1)
  fi
  PM_LINKER=${PM_LINKER:-pnp}
}

# install_package_manager: yarn or pnpm at PM_RANGE into BUILD_DIR/.heroku; npm is installed with node.
install_package_manager() {
  if [[ $PM == npm ]]; then
    prune_runtime_cache
    return 0
  fi
  local package=$PM status=0 integrity bin dest="$BUILD_DIR/.heroku/$PM"
  if [[ $PM_FLAVOR == berry ]]; then package=@yarnpkg/cli-dist; fi
  resolve_version "$package" resolve-npm "$PM_RANGE" "$NODE_VERSION" || status=$?
  case $status in
    0) ;;
    3) fail_no_matching_manager "$PM" "$PM_RANGE" "$RESOLVED" ;;
    *) fail_invalid_engine "$PM" "$PM_RANGE" ;;
  esac
  read -r PM_VERSION integrity _ <<<"$RESOLVED"
  fetch_tarball "$package" "$PM_VERSION" "$integrity" "$PM"
  MANAGER_TARBALL=$TARBALL
  if ((TARBALL_CACHED == 1)); then detail "Using cached $PM $PM_VERSION"; else detail "Downloaded $PM $PM_VERSION"; fi
  unpacked_runtime "$PM" "$PM_VERSION" "$MANAGER_TARBALL" "$integrity"
  MANAGER_UNPACKED=$UNPACKED
  rm -rf -- "$dest"
  link_runtime "$UNPACKED" "$dest"
  for bin in bin/yarn.js bin/pnpm.cjs bin/pnpm.mjs; do
    if [[ -f $dest/$bin ]]; then break; fi
    bin=
  done
  if [[ -z $bin ]]; then fail_manager_without_js "$PM" "$PM_VERSION"; fi
  ln -sfn "../../$PM/$bin" "$BUILD_DIR/.heroku/node/bin/$PM"
  if [[ $PM == yarn ]]; then ln -sfn "../../yarn/$bin" "$BUILD_DIR/.heroku/node/bin/yarnpkg"; fi
  prune_runtime_cache
}

# manager_environment: every manager pointed at the registry npm uses, each with its own cache.
manager_environment() {
  case $PM in
    yarn)
      export YARN_CACHE_FOLDER="$NODEJS_CACHE/yarn-cache"
      export YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_PROGRESS_BARS=0
      if [[ $PM_FLAVOR == berry ]]; then
        export YARN_NPM_REGISTRY_SERVER=${YARN_NPM_REGISTRY_SERVER:-$REGISTRY_URL}
        export YARN_GLOBAL_FOLDER="$NODEJS_CACHE/yarn-berry"
        export YARN_ENABLE_GLOBAL_CACHE=${YARN_ENABLE_GLOBAL_CACHE:-true}
        # .pnp.cjs points at the archives where yarn keeps them: they must be in the slug,
        # so in the app's .yarn/cache (kept between builds by pnp_cache_save).
        if [[ $PM_LINKER == pnp ]]; then export YARN_ENABLE_GLOBAL_CACHE=false; fi
        unset YARN_CACHE_FOLDER
        # A hosted registry on plain http (the operator's mirror) must stay usable.
        if [[ $REGISTRY_URL == http://* ]]; then export YARN_UNSAFE_HTTP_WHITELIST=${YARN_UNSAFE_HTTP_WHITELIST:-${REGISTRY_URL#http://}}; export YARN_UNSAFE_HTTP_WHITELIST=${YARN_UNSAFE_HTTP_WHITELIST%%[:/]*}; fi
      else
        export YARN_REGISTRY=${YARN_REGISTRY:-$REGISTRY_URL/}
      fi
      ;;
    pnpm)
      export npm_config_store_dir="$NODEJS_CACHE/pnpm-store"
      export npm_config_strict_dep_builds=${npm_config_strict_dep_builds:-true}
      ;;
    npm)
      # npm 12 blocks dependencies' install scripts unless package.json allows them:
      # a native module would be left unbuilt. Fail instead of deploying it broken.
      if ((${NPM_VERSION%%.*} >= 12)); then export npm_config_strict_allow_scripts=${npm_config_strict_allow_scripts:-true}; fi
      ;;
  esac
}

# pm_run ARGS...: the manager's `run` (npm run / yarn run / pnpm run).
pm_run() {
  "$PM" run "$@"
}
