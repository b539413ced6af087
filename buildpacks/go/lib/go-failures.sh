# The Go buildpack's failures, each as what happened / likely cause / fix.
# shellcheck shell=bash

fail_no_go() {
  fail "The stack has no go." \
    "The Go buildpack builds with the stack's own Go (Debian's golang), and this build environment has none." \
    "Ask the operator to add golang-go to the stack image."
}

fail_no_main_package() {
  fail "The module has no main package: there is nothing to run." \
    "\`go install ./...\` built no command." \
    "Add a \`package main\` with a \`func main()\` (at the module root or under cmd/NAME) and push again."
}

fail_go_build() { # log go-version wanted
  # Go 1.21+ says "requires go >="; older ones cannot even read a go line of three parts
  # (go 1.25.0): "invalid go version '1.25.0': must match format 1.23".
  if grep -q -e 'requires go >=' -e 'GOTOOLCHAIN=local' -e 'invalid go version' -- "$1"; then
    fail "go.mod asks for go ${3:-a newer release}, but this stack has $2 only." \
      "The Go buildpack uses the stack's go and does not download toolchains." \
      "Set the \`go\` line of go.mod to ${2#go} or lower (and drop any \`toolchain\` line) if the code and its modules build with it, or ask the operator for a stack with a newer go; then push again."
  fi
  if grep -q -e 'dial tcp' -e 'proxy.golang.org' -e 'lookup ' -e 'cannot find module providing' -- "$1"; then
    fail "go could not download a module the app needs." \
      "The module proxy could not be reached from the build." \
      "Vendor the dependencies (\`go mod vendor\`, commit vendor/), or set GOPROXY to a reachable proxy, and push again."
  fi
  fail "\`go install ./...\` failed." \
    "The compiler reported the errors shown above." \
    "Run \`go build ./...\` locally, fix the errors, and push again."
}
