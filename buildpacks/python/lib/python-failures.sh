# The Python buildpack's failures, each as what happened / likely cause / fix.
# shellcheck shell=bash

fail_no_python() {
  fail "The stack has no python3." \
    "The Python buildpack uses the stack's own Python, and this build environment has none." \
    "Ask the operator to add python3 and python3-venv to the stack image."
}

fail_no_venv() {
  fail "Could not create a virtual environment with the stack's python3." \
    "The stack's Python lacks the venv module (Debian's python3-venv package)." \
    "Ask the operator to add python3-venv to the stack image."
}

fail_python_version() { # requested file available
  fail "Python $1 was requested in $2, but this stack has Python $3 only." \
    "The Python buildpack uses the stack's python3 and cannot install other versions." \
    "Ask for \"${3%.*}\" in $2 (or remove the file) and push again."
}

fail_pipfile_without_lock() {
  fail "A Pipfile was found without Pipfile.lock." \
    "The buildpack installs the versions Pipfile.lock pins; pipenv itself is not on the stack." \
    "Run \`pipenv lock\` and commit Pipfile.lock (or commit a requirements.txt), and push again."
}

fail_pipfile_lock() {
  fail "Pipfile.lock could not be read." \
    "It is not valid JSON." \
    "Run \`pipenv lock\` again, commit Pipfile.lock, and push again."
}

fail_pip() { # log command
  if grep -q -e 'Could not find a version that satisfies' -e 'No matching distribution' -e 'Failed to establish a new connection' -e 'Network is unreachable' -- "$1"; then
    fail "pip could not find or download a requirement (\`$2\`)." \
      "The package index could not be reached from the build, or has no release that matches." \
      "Check the requirement's name and version; if the platform has a package mirror, set PIP_INDEX_URL to it; or commit wheels and list them by path."
  fi
  fail "Installing the Python requirements failed (\`$2\`)." \
    "pip reported the error shown above: a requirement that cannot be built or installed." \
    "Run \`$2\` locally in a fresh virtual environment to reproduce it, fix it, and push again."
}
