#!/usr/bin/env bash
# The binaries of a real Kubernetes control plane for the tests in src/test/java/.../cluster/:
# etcd (Debian's etcd-server package) and kube-apiserver + kube-controller-manager, built once from
# Debian bookworm's `kubernetes` source package (1.20.2, vendored) with Debian's Go 1.19.
#
# Output: $KUBE_BINARIES (default ~/.cache/heroku-connect-operator/kube-1.20.2/bin) holding
# kube-apiserver, kube-controller-manager and etcd (a link to /usr/bin/etcd). Outside the clone on
# purpose: CI runs on the same machine in a fresh clone, and every clone reuses the build.
# A no-op (one line) when the binaries are there; the one-time build took 13 minutes here (2 shared cores).
#
# What it changes in the vendored tree, and why (each is needed with Go 1.19, not by Kubernetes itself):
#   vendor/github.com/modern-go/reflect2  -> Debian's golang-github-modern-go-reflect2-dev (1.0.2):
#       1.0.1 crashes on map iteration under Go >= 1.18 (unsafe link to the runtime's mapiterinit).
#   vendor/github.com/json-iterator/go    -> Debian's golang-github-json-iterator-go-dev (1.1.12):
#       1.1.10 on Go 1.19 mangles empty strings; 1.1.12 is the release that goes with reflect2 1.0.2.
#   vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go: see below ("" refused as null).
# Built with -tags providerless (no cloud-provider SDKs: the tests need none; a third less to compile).
#
# Needs root and apt (it installs packages and adds a deb-src entry for the configured Debian mirror).
set -euo pipefail

KUBE_VERSION=1.20.2
DEB_VERSION=1.20.5+really1.20.2-1.1+deb12u1
CACHE=${KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heroku-connect-operator/kube-$KUBE_VERSION}
BIN=${KUBE_BINARIES:-$CACHE/bin}
# Bump when this script's build changes, so cached binaries from an older recipe are rebuilt.
RECIPE=1
STAMP=$BIN/.built-recipe-$RECIPE
PACKAGES=(etcd-server golang-1.19-go golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev dpkg-dev)

if [ -f "$STAMP" ] && [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] && [ -x "$BIN/etcd" ]; then
  echo "kube binaries: cached in $BIN ($("$BIN/kube-apiserver" --version), $("$BIN/etcd" --version | sed -n 1p))"
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "kube binaries: missing in $BIN and cannot build them here (needs root and apt-get);" \
       "the tests in .../cluster/ will be skipped locally (and fail with CI=true)" >&2
  exit 1
fi

apt_get() {  # waits for another apt/dpkg (other developers share this machine)
  local i
  for i in $(seq 1 60); do
    if DEBIAN_FRONTEND=noninteractive apt-get "$@"; then return 0; fi
    echo "apt-get $1 failed (lock held?), retrying in 10 s ($i/60)" >&2
    sleep 10
  done
  return 1
}

# deb-src for the same mirror and suites as the configured binary sources
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "kube binaries: adding deb-src for the Debian mirror (/etc/apt/sources.list.d/heroku-connect-operator-src.sources)"
  src=/etc/apt/sources.list.d/heroku-connect-operator-src.sources
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # the deb822 stanzas whose URIs is the Debian archive itself (not -security), as deb-src
    grep -v '^#' /etc/apt/sources.list.d/debian.sources \
      | awk 'BEGIN { RS = ""; ORS = "\n\n" } $0 ~ /URIs:[^\n]*\/debian\/?(\n|$)/ { sub(/Types:[^\n]*/, "Types: deb-src"); print }' > "$src"
  fi
  if [ ! -s "$src" ]; then
    mirror=$(sed -nE 's/^deb +(\[[^]]*\] +)?(http[^ ]*debian\/?) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
    printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "${mirror:-http://deb.debian.org/debian}" > "$src"
  fi
fi

start=$(date +%s)
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null

mkdir -p "$CACHE/src" "$BIN"
cd "$CACHE/src"
rm -rf kubernetes
[ -f "kubernetes_$DEB_VERSION.dsc" ] || apt_get source --download-only "kubernetes=$DEB_VERSION" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
dpkg-source -q -x --no-check "kubernetes_$DEB_VERSION.dsc" kubernetes
cd kubernetes

replace_vendored() {  # $1 = import path; the Debian package's sources replace the vendored copy
  local dst=vendor/$1 srcdir=/usr/share/gocode/src/$1
  rm -rf "$dst" && mkdir -p "$dst"
  find "$srcdir" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' -o -name 'LICENSE' \) ! -name '*_test.go' -exec cp {} "$dst"/ \;
}
replace_vendored github.com/modern-go/reflect2
replace_vendored github.com/json-iterator/go
# kube-openapi's type validator takes a value equal to its type's zero Value for null; under Go 1.19
# a decoded "" is exactly that (both point at the runtime's zeroVal), so "" in a custom resource was
# refused with `must be of type string`. null decodes to nil: that check alone is the intended one.
typego=vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go
sed -i 's/if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {/if data == nil {/' "$typego"
grep -q '^	if data == nil {$' "$typego" || { echo "kube binaries: the $typego patch did not apply" >&2; exit 1; }

# GOPATH mode with the vendor directory, as Debian's package and Kubernetes 1.20's own hack/ build
# do (module mode with -mod=vendor refuses this go.mod under Go 1.19: "updates to go.mod needed").
export PATH=/usr/lib/go-1.19/bin:$PATH GO111MODULE=off GOFLAGS= GOPATH=$CACHE/gopath GOCACHE=$CACHE/gocache CGO_ENABLED=0
mkdir -p "$GOPATH/src/k8s.io" && ln -sfn "$PWD" "$GOPATH/src/k8s.io/kubernetes" && cd "$GOPATH/src/k8s.io/kubernetes"
# The one generated file the source package lacks (Kubernetes' `make` makes it; a plain go build does not):
# pkg/generated/openapi, from every package tagged +k8s:openapi-gen, chosen as Makefile.generated_files does.
# Its API-rule report must equal the checked-in list: proof that the same packages went in.
nice go build -o "$CACHE/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
openapi_dirs=$(find -H . -not \( \( -path './_*' -o -path './.*' -o -path ./vendor \) -prune \) -type f -name '*.go' -print0 \
  | xargs -0 grep -l '^// *+k8s:' | xargs grep -l '+k8s:openapi-gen=' \
  | sed 's|^\./staging/src|vendor|; s|^\./||; s|/[^/]*$||' | grep -v -E '^vendor/k8s.io/(code-generator|sample-apiserver)/' \
  | LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)
nice "$CACHE/openapi-gen" --logtostderr -i "$openapi_dirs" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
  -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$CACHE/openapi-violations.report" 2>/dev/null
diff -q "$CACHE/openapi-violations.report" api/api-rules/violation_exceptions.list

ldflags="-s -w"
# (in GOPATH mode the vendored packages' import paths start with k8s.io/kubernetes/vendor/)
for pkg in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=20 -X $pkg.gitTreeState=clean"
  ldflags+=" -X $pkg.buildDate=1970-01-01T00:00:00Z -X $pkg.gitCommit=debian-$DEB_VERSION"
done
for cmd in kube-apiserver kube-controller-manager; do
  echo "kube binaries: building $cmd $KUBE_VERSION with $(go version) (once; cached in $BIN)"
  nice go build -p 2 -tags providerless -ldflags "$ldflags" -o "$BIN/$cmd" "./cmd/$cmd"
done
ln -sf "$(command -v etcd)" "$BIN/etcd"

cd "$CACHE" && rm -rf src/kubernetes gocache gopath openapi-gen openapi-violations.report   # keep the downloaded source package only
touch "$STAMP"
echo "kube binaries: built in $(( $(date +%s) - start )) s into $BIN ($("$BIN/kube-apiserver" --version))"
