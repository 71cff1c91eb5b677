#!/usr/bin/env bash
# The release artifacts, built and checked on this machine, into target/dist/:
#   mfa-VERSION-TARGET.tar.gz  the release binary with the README, CHANGELOG, both
#       licences, the man page and completions for the five shells. For Linux the
#       binary is linked statically against musl (by zig, through cargo-zigbuild), so it
#       runs on any Linux, in Alpine and in a `FROM scratch` image (a *-linux-gnu TARGET
#       is linked against glibc 2.17 instead);
#   mfa_VERSION-1_ARCH.deb  (Linux only, by cargo-deb) /usr/bin/mfa, the man page, the
#       bash, zsh and fish completions in their system folders, the copyright file and
#       the changelogs;
#   SHA256SUMS  for both.
# Then it checks what it made: that the binary has no dynamic section (or, for glibc,
# the highest GLIBC symbol version it needs), that it runs in an empty root (chroot,
# as root) for --version, the dry run, a send to a stand-in on 127.0.0.1 and a name
# lookup, the tarball's binary running --version and the README's dry run, the .deb's file list,
# dependencies and its binary unpacked and run, the man page rendered without a
# warning, lintian, the checksums; and, where the host is the target (the default),
# `cargo package` (the crate builds from its own tarball, without git) and the crate
# compiling for Windows and macOS with lints as errors. An aarch64 Linux binary is run
# under qemu-user with Debian's arm64 glibc; a binary no emulator here runs (macOS) is
# built and packaged, and the checks that would run it say they were skipped.
# Any failed check fails the script.
#
# Installs what is missing: cargo-zigbuild (which brings zig) from PyPI into a venv
# under target/, cargo-deb from crates.io, Debian's lintian, man-db, groff, binutils
# and dpkg-dev (and qemu-user with libc6-arm64-cross for an aarch64 target), and
# rustup's standard library of each target it builds or checks.
#
# usage: tools/dist.sh   TARGET=aarch64-unknown-linux-musl (or a macOS target, without
#                        the .deb) builds for another target; CROSS_CHECKS=0 leaves out
#                        the Windows and macOS compile checks
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=$(rustc -vV | sed -n 's/^host: //p')
# Linux's release is static: on a glibc host, the same machine's musl target.
TARGET=${TARGET:-${HOST/%-linux-gnu/-linux-musl}}
GLIBC=2.17
DIST=$PWD/target/dist
GENERATED=$DIST/generated
LINUX=0; [[ "$TARGET" == *-linux-gnu || "$TARGET" == *-linux-musl ]] && LINUX=1
STATIC=0; [[ "$TARGET" == *-linux-musl ]] && STATIC=1
# Where the target runs here as it is (the host's, or its static twin): the crate's own
# checks run too.
HOME_RUN=0
[[ "$TARGET" == "$HOST" || "$TARGET" == "${HOST/%-linux-gnu/-linux-musl}" ]] && HOME_RUN=1
CROSS_CHECKS=${CROSS_CHECKS:-$HOME_RUN}
# A fixed time for every file in the artifacts: the last commit's, else the epoch.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

failures=0
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
skip() { printf 'skip  %s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }

# ---- What it needs ----
step "tools"
if [ "$LINUX" = 1 ] && command -v apt-get >/dev/null; then
  missing=()
  command -v lintian >/dev/null || missing+=(lintian)
  command -v man >/dev/null || missing+=(man-db)
  command -v groff >/dev/null || missing+=(groff-base)
  command -v objdump >/dev/null || missing+=(binutils)
  command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
  if [[ "$TARGET" == aarch64-* && "$HOST" != aarch64-* ]]; then
    command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
    [ "$STATIC" = 1 ] || [ -d /usr/aarch64-linux-gnu/lib ] || missing+=(libc6-arm64-cross)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y -q "${missing[@]}" >/dev/null ||
      { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null; }
  fi
fi
VENV=$PWD/target/dist-tools
if [ "$LINUX" = 1 ] || [ "$CROSS_CHECKS" = 1 ]; then
  if [ ! -x "$VENV/bin/cargo-zigbuild" ]; then
    echo "installing cargo-zigbuild (and zig) into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet cargo-zigbuild
  fi
  export PATH=$VENV/bin:$PATH
  echo "$(cargo-zigbuild --version), zig $("$VENV/bin/python" -m ziglang version)"
fi
if [ "$LINUX" = 1 ]; then
  command -v cargo-deb >/dev/null || { echo "installing cargo-deb"; cargo install --quiet --locked cargo-deb; }
  echo "$(cargo deb --version), lintian $(lintian --version | cut -d' ' -f2)"
fi
has_target() {
  rustup target list --installed | grep -qx "$1" || rustup target add "$1" >/dev/null 2>&1
}
has_target "$TARGET" || { echo "rustup cannot add the target $TARGET" >&2; exit 1; }
# What runs a binary of the target here: nothing for the host's own, an emulator for
# aarch64 Linux on another machine.
RUNNER=()
if [[ "$TARGET" == aarch64-*-linux-* && "$HOST" != aarch64-* ]] && command -v qemu-aarch64 >/dev/null; then
  # A static binary needs no libraries of its architecture; a glibc one, Debian's.
  RUNNER=(qemu-aarch64)
  [ "$STATIC" = 1 ] || RUNNER+=(-L /usr/aarch64-linux-gnu)
fi

VERSION=$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["packages"][0]["version"])')
NAME=mfa-$VERSION-$TARGET
TARBALL=$NAME.tar.gz
case "$TARGET" in
  x86_64-*) ARCH=amd64 ;;
  aarch64-*) ARCH=arm64 ;;
  *) ARCH=unknown ;;
esac
DEB=mfa_$VERSION-1_$ARCH.deb
rm -rf "$DIST"
mkdir -p "$GENERATED"

# ---- The binary ----
if [ "$STATIC" = 1 ]; then
  step "build ($TARGET, static)"
  cargo zigbuild --release --locked --quiet --target "$TARGET"
elif [ "$LINUX" = 1 ]; then
  step "build ($TARGET, glibc $GLIBC)"
  cargo zigbuild --release --locked --quiet --target "$TARGET.$GLIBC"
else
  step "build ($TARGET)"
  cargo build --release --locked --quiet --target "$TARGET"
fi
BIN=$PWD/target/$TARGET/release/mfa
ls -l "$BIN"

# The man page and the completions do not depend on the target: made by a binary that
# runs here (the target's own when it can run, else a build for the host).
MAKER=("${RUNNER[@]}" "$BIN")
if ! "${MAKER[@]}" --version >/dev/null 2>&1; then
  cargo build --locked --quiet
  MAKER=("$PWD/target/debug/mfa")
fi
"${MAKER[@]}" man >"$GENERATED/mfa.1"
gzip -9n <"$GENERATED/mfa.1" >"$GENERATED/mfa.1.gz"
"${MAKER[@]}" completions bash >"$GENERATED/mfa.bash"
"${MAKER[@]}" completions zsh >"$GENERATED/_mfa"
"${MAKER[@]}" completions fish >"$GENERATED/mfa.fish"
"${MAKER[@]}" completions elvish >"$GENERATED/mfa.elv"
"${MAKER[@]}" completions powershell >"$GENERATED/_mfa.ps1"
gzip -9n <CHANGELOG.md >"$GENERATED/changelog.gz"

# ---- The tarball ----
step "tarball"
STAGE=$DIST/stage/$NAME
mkdir -p "$STAGE/completions"
cp "$BIN" "$STAGE/mfa" && chmod 755 "$STAGE/mfa"
cp README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE "$GENERATED/mfa.1" "$STAGE/"
cp "$GENERATED"/{mfa.bash,_mfa,mfa.fish,mfa.elv,_mfa.ps1} "$STAGE/completions/"
chmod 644 "$STAGE"/*.md "$STAGE"/LICENSE-* "$STAGE/mfa.1" "$STAGE"/completions/*
# Sorted names, no owner and one time for all: the same sources make the same bytes.
(cd "$DIST/stage" && find "$NAME" -print | LC_ALL=C sort >"$DIST/stage.list")
tar --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" --no-recursion \
  -C "$DIST/stage" -T "$DIST/stage.list" -cf - | gzip -9n >"$DIST/$TARBALL"
rm -rf "$DIST/stage" "$DIST/stage.list"
ARTIFACTS=("$TARBALL")

# ---- The .deb ----
if [ "$LINUX" = 1 ]; then
  step "deb"
  # Who the .deb names as its maintainer: whoever makes the release.
  MAINTAINER=${MFA_DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || true)}
  [ -n "$MAINTAINER" ] || { echo "no git: set MFA_DEB_MAINTAINER='Name <address>'" >&2; exit 1; }
  # The Debian changelog entry of this version; CHANGELOG.md (as changelog.gz) has the rest.
  cat >"$GENERATED/changelog" <<CHANGES
mfa ($VERSION-1) unstable; urgency=medium

  * Release $VERSION; see /usr/share/doc/mfa/changelog.gz for what it changes.

 -- $MAINTAINER  $(date -u -R -d "@$SOURCE_DATE_EPOCH")
CHANGES
  # The binary is stripped already (the release profile); another architecture's
  # strip may not be here.
  # A static binary depends on no package; a glibc one on glibc 2.17 (the `glibc`
  # variant of the crate's deb metadata).
  variant=(); [ "$STATIC" = 1 ] || variant=(--variant glibc)
  cargo deb --no-build --no-strip --quiet --target "$TARGET" --maintainer "$MAINTAINER" \
    "${variant[@]}" --output "$DIST/$DEB" >/dev/null
  if [ "$STATIC" = 1 ]; then
    # No dependency, and no empty Depends field either (lintian warns of one).
    repack=$DIST/repack
    dpkg-deb -R "$DIST/$DEB" "$repack"
    sed -i '/^Depends: *$/d' "$repack/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$repack" "$DIST/$DEB" >/dev/null
    rm -rf "$repack"
  fi
  ARTIFACTS+=("$DEB")
fi

# ---- Checksums ----
(cd "$DIST" && sha256sum "${ARTIFACTS[@]}" >SHA256SUMS)

# ---- Checks ----
step "checks"
CHECK=$(mktemp -d)
trap 'rm -rf "$CHECK"' EXIT

if [ "$STATIC" = 1 ]; then
  if readelf -d "$BIN" | grep -q 'There is no dynamic section'; then
    pass "statically linked: no dynamic section, no library to load"
  else
    fail "the binary has a dynamic section: $(readelf -d "$BIN" | grep NEEDED | head -3)"
  fi
elif [ "$LINUX" = 1 ]; then
  highest=$(objdump -T "$BIN" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
  if [ "$(printf '%s\n%s\n' "$highest" "$GLIBC" | sort -V | tail -1)" = "$GLIBC" ]; then
    pass "highest GLIBC symbol version: $highest (at most $GLIBC)"
  else
    fail "the binary needs GLIBC_$highest, more than $GLIBC"
  fi
fi

# Runs a binary as a new user would: --version, then the README's first command (no
# credentials, no network). `where` names it in the lines.
runs() {
  local mfa=$1 where=$2 version
  [ ${#RUNNER[@]} = 0 ] || where="$where (under ${RUNNER[0]})"
  if ! version=$("${RUNNER[@]}" "$mfa" --version 2>"$CHECK/run.err"); then
    if [ "$HOME_RUN" = 0 ] && [ ${#RUNNER[@]} = 0 ]; then
      skip "$where: nothing here runs a $TARGET binary"
    else
      fail "$where: mfa --version failed: $(head -3 "$CHECK/run.err")"
    fi
    return
  fi
  [ "$version" = "mfa $VERSION" ] && pass "$where: mfa --version: $version" ||
    fail "$where: mfa --version: $version"
  if env -i HOME="$CHECK/home" PATH=/usr/bin:/bin "${RUNNER[@]}" "$mfa" voice --dry-run --to +15553334444 \
    --from +15554443333 --application-id 93de2206-9669-4e07-948d-329f4b722ee2 \
    --account-id 9900000 2>/dev/null |
    grep -q '^POST https://mfa.bandwidth.com/api/v1/accounts/9900000/code/voice$'; then
    pass "$where: mfa makes the README's dry run"
  else
    fail "$where: mfa does not make the README's dry run"
  fi
}

# A static binary in an empty root, as a `FROM scratch` container runs it: no library,
# no config, no HOME; for a lookup, only the /etc/hosts a container runtime writes.
# chroot needs root, and a binary this machine runs natively (qemu-user, itself
# dynamically linked, cannot run inside an empty root).
in_empty_root() {
  local root=$CHECK/root port standin out
  if [ "$STATIC" = 0 ]; then return; fi
  if [ "$(id -u)" != 0 ] || [ "$HOME_RUN" = 0 ]; then
    skip "empty root: needs root and a binary this machine runs natively"
    return
  fi
  mkdir -p "$root/etc"
  cp "$BIN" "$root/mfa"
  echo "127.0.0.1 localhost" >"$root/etc/hosts"
  # By its path: the runs below clear the environment, PATH too.
  local run=("$(command -v chroot)" "$root" /mfa)
  [ "$(env -i "${run[@]}" --version 2>&1)" = "mfa $VERSION" ] &&
    pass "empty root: mfa --version" || fail "empty root: mfa --version"
  if env -i "${run[@]}" voice --dry-run --to +15553334444 --from +15554443333 \
    --application-id 93de2206-9669-4e07-948d-329f4b722ee2 --account-id 9900000 2>/dev/null |
    grep -q '^POST https://mfa.bandwidth.com/api/v1/accounts/9900000/code/voice$'; then
    pass "empty root: the README's dry run"
  else
    fail "empty root: the README's dry run"
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 tools/standin.py "$port" api-user dist-pw "$CHECK/standin.log" &
  standin=$!
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null && break
    sleep 0.1
  done
  local send=(voice --to +15553334444 --from +15554443333 --application-id
    93de2206-9669-4e07-948d-329f4b722ee2 --account-id 9900000 --username api-user)
  out=$(env -i BW_PASSWORD=dist-pw "${run[@]}" "${send[@]}" --base-url "http://localhost:$port/api/v1" 2>&1 || true)
  [[ "$out" == c-* ]] && pass "empty root: a send to a stand-in, its name looked up: $out" ||
    fail "empty root: a send to a stand-in: $out"
  # A name no lookup finds (a 64-character label): refused before any query.
  out=$(env -i BW_PASSWORD=dist-pw "${run[@]}" "${send[@]}" \
    --base-url "https://$(printf 'a%.0s' $(seq 64)).invalid/api/v1" 2>&1 || true)
  [[ "$out" == *"its name could not be looked up"*"; nothing was sent" ]] &&
    pass "empty root: a failed lookup says nothing was sent" ||
    fail "empty root: a failed lookup: $out"
  kill "$standin" 2>/dev/null
}
in_empty_root

tar -xzf "$DIST/$TARBALL" -C "$CHECK"
expected_files="CHANGELOG.md LICENSE-APACHE LICENSE-MIT README.md completions/_mfa completions/_mfa.ps1 completions/mfa.bash completions/mfa.elv completions/mfa.fish mfa mfa.1"
files=$(cd "$CHECK/$NAME" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
[ "$files" = "$expected_files" ] && pass "tarball holds: $files" || fail "tarball holds: $files"
runs "$CHECK/$NAME/mfa" "tarball"

if [ "$LINUX" = 1 ]; then
  expected_deb="./usr/bin/mfa
./usr/share/bash-completion/completions/mfa
./usr/share/doc/mfa/README.md
./usr/share/doc/mfa/changelog.Debian.gz
./usr/share/doc/mfa/changelog.gz
./usr/share/doc/mfa/copyright
./usr/share/fish/vendor_completions.d/mfa.fish
./usr/share/man/man1/mfa.1.gz
./usr/share/zsh/vendor-completions/_mfa"
  deb_files=$(dpkg-deb -c "$DIST/$DEB" | awk '$1 !~ /^d/ {print $6}' | LC_ALL=C sort)
  if [ "$deb_files" = "$expected_deb" ]; then
    pass ".deb holds: $(echo $deb_files)"
  else
    fail ".deb holds: $(echo $deb_files); expected: $(echo $expected_deb)"
  fi
  depends=$(dpkg-deb -f "$DIST/$DEB" Depends)
  fields="$(dpkg-deb -f "$DIST/$DEB" Architecture), depends on ${depends:-nothing}"
  wanted="libc6 (>= $GLIBC)"; [ "$STATIC" = 1 ] && wanted=nothing
  [ "$fields" = "$ARCH, depends on $wanted" ] && pass ".deb: $fields" || fail ".deb: $fields"
  dpkg-deb -x "$DIST/$DEB" "$CHECK/deb"
  runs "$CHECK/deb/usr/bin/mfa" ".deb"

  # The man page as man shows it, with groff's warnings on.
  rendered=$(MANWIDTH=80 man --warnings -l "$CHECK/deb/usr/share/man/man1/mfa.1.gz" 2>"$CHECK/man.err")
  if [ ! -s "$CHECK/man.err" ] && grep -q "EXIT STATUS" <<<"$rendered" &&
    grep -q "^EXAMPLES" <<<"$rendered"; then
    pass "man -l renders the man page ($(wc -l <<<"$rendered") lines, no warning, with EXAMPLES)"
  else
    fail "man -l: $(head -5 "$CHECK/man.err")"
  fi
  # Every option has its description: in roff, an option's .TP header line is followed
  # by its text, never by an empty line or the next request.
  undescribed=$(awk 'tp && /^\\fB\\-/ { header = $0; tp = 0; getline; if ($0 == "" || $0 ~ /^\./) print header; next } { tp = ($0 == ".TP") }' "$GENERATED/mfa.1")
  if [ -z "$undescribed" ]; then
    pass "every option in the man page has a description"
  else
    fail "options without a description in the man page: $(tr '\n' ' ' <<<"$undescribed")"
  fi

  # initial-upload-closes-no-bugs is for uploads to Debian's archive (an ITP bug to
  # close); this .deb is published with the release instead. So is
  # statically-linked-binary: the archive wants its packages to share its libraries,
  # but this binary is static on purpose, the same one as the tarball's and the
  # container's, which runs on any Linux.
  suppressed=initial-upload-closes-no-bugs
  [ "$STATIC" = 0 ] || suppressed+=,statically-linked-binary
  if lintian --fail-on error,warning --suppress-tags "$suppressed" \
    "$DIST/$DEB" 2>&1 | grep -v 'running with root privileges' >"$CHECK/lintian"; [ "${PIPESTATUS[0]}" = 0 ]; then
    pass "lintian: no error, no warning$( [ -s "$CHECK/lintian" ] && echo "; $(wc -l <"$CHECK/lintian") info or pedantic lines")"
  else
    fail "lintian: $(cat "$CHECK/lintian")"
  fi
fi

(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) && pass "SHA256SUMS checks" || fail "SHA256SUMS does not check"

if [ "$HOME_RUN" = 1 ] && [ "$LINUX" = 1 ]; then
  # The README's Install steps as a new user follows them: the tarball's block run as
  # written in a folder holding the downloads, with a fresh HOME whose PATH lacks
  # ~/.local/bin (the block must put it there, for new shells too); the .deb's file name.
  readme_block() {
    awk -v first="$1" -f tools/readme-block.awk README.md
  }
  mkdir -p "$CHECK/downloads" "$CHECK/readme-home"
  cp "$DIST/$TARBALL" "$DIST/SHA256SUMS" "$CHECK/downloads/"
  block=$(readme_block "# the tarball")
  if (cd "$CHECK/downloads" && env -i HOME="$CHECK/readme-home" \
    PATH="/usr/bin:/bin" bash -ec "$block") >"$CHECK/readme.out" 2>&1 &&
    grep -qx "mfa $VERSION" "$CHECK/readme.out" &&
    grep -qxF 'export PATH="$HOME/.local/bin:$PATH"' "$CHECK/readme-home/.profile"; then
    pass "the README's tarball steps, as written, install mfa $VERSION"
  else
    fail "the README's tarball steps: $(tail -5 "$CHECK/readme.out")"
  fi
  if readme_block "# Debian and Ubuntu" | grep -qF "./$DEB"; then
    pass "the README's .deb step names $DEB"
  else
    fail "the README's .deb step does not name $DEB"
  fi

  # The crate as crates.io would get it: built from its own tarball, without git.
  if cargo package --locked --quiet --allow-dirty >"$CHECK/package" 2>&1; then
    crate=target/package/mfa-$VERSION.crate
    pass "cargo package: $(tar -tzf "$crate" | wc -l) files, $(wc -c <"$crate") bytes; it builds without git"
    if tar -tzf "$crate" | grep -qE '^mfa-[^/]+/(tests|bench|tools|debian|\.ci|\.github)/'; then
      fail "the crate holds tests, bench, tools or CI files"
    fi
  else
    fail "cargo package: $(tail -20 "$CHECK/package")"
  fi
fi

# Windows and macOS cannot be run here, but the crate must compile for them, its tests
# too, with lints as errors (zig stands in for their C compilers).
if [ "$CROSS_CHECKS" = 1 ]; then
  for other in x86_64-pc-windows-gnu x86_64-apple-darwin; do
    if ! has_target "$other"; then
      skip "$other: rustup could not add the target here"
    elif cargo-zigbuild clippy --quiet --locked --target "$other" --all-targets \
      -- -D warnings >"$CHECK/$other" 2>&1; then
      pass "compiles for $other, tests too, clippy clean"
    else
      fail "$other: $(grep -E '^(error|warning)' -A5 "$CHECK/$other" | head -30)"
    fi
  done
fi

step "artifacts in target/dist"
(cd "$DIST" && for file in "${ARTIFACTS[@]}"; do echo "$(wc -c <"$file") $file"; done && cat SHA256SUMS)
echo
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "every check passed"
