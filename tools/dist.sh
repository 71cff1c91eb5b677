#!/usr/bin/env bash
# The release artifacts, built and checked on this machine, into target/dist/:
#   mfa-VERSION-TARGET.tar.gz  (Linux, macOS) the release binary with the README,
#       CHANGELOG, both licences, the man page and completions for the five shells. For
#       Linux the binary is linked statically against musl (by zig, through
#       cargo-zigbuild), so it runs on any Linux, in Alpine and in a `FROM scratch` image
#       (a *-linux-gnu TARGET is linked against glibc 2.17 instead);
#   mfa_VERSION-1_ARCH.deb  (Linux, by cargo-deb) /usr/bin/mfa, the man page, the bash,
#       zsh and fish completions in their system folders, the copyright file and the
#       changelogs;
#   mfa-VERSION-TARGET.oci.tar  (static Linux) the container image of the Dockerfile,
#       built by podman (which builds a `FROM scratch` image without running a
#       container) and saved as an OCI archive;
#   mfa-VERSION-TARGET.zip  (Windows) mfa.exe, the README, CHANGELOG, licences and the
#       PowerShell completion;
#   SHA256SUMS  for all of them.
# With no TARGET, on an x86_64 Linux machine, it makes every target of the release that
# can be built here: x86_64 and aarch64 Linux (static) and x86_64 Windows. macOS
# binaries need Apple's SDK, which no registry here has: the release workflow builds
# them on macOS runners with TARGET=...-apple-darwin, and this script compiles the crate
# for macOS to catch what would break there.
#
# Then it checks what it made: that the binary has no dynamic section (or, for glibc,
# the highest GLIBC symbol version it needs); that it runs in an empty root (chroot, as
# root) for --version, the dry run, a send to a stand-in on 127.0.0.1 and a name
# lookup (an aarch64 binary under qemu-user's static emulator, copied into that root);
# the container image unpacked layer by layer and run as a container runtime would
# (chroot as uid 65534, no HOME, settings from the environment alone); the tarball's
# binary running --version and the README's dry run; the .deb's file list, dependencies
# and its binary unpacked and run; the man page rendered without a warning; lintian;
# mfa.exe under wine (--version, the dry run, config init and set landing under
# %APPDATA%, a send to a stand-in); the checksums; and, once, `cargo package` (the crate
# builds from its own tarball, without git) and the crate compiling for Windows and
# macOS with lints as errors, its tests too. Any failed check fails the script.
#
# Installs what is missing: cargo-zigbuild (which brings zig) from PyPI into a venv
# under target/, cargo-deb from crates.io, Debian's lintian, man-db, groff, binutils,
# dpkg-dev and podman (and qemu-user-static for aarch64, wine for Windows), and rustup's
# standard library of each target it builds or checks.
#
# usage: tools/dist.sh   TARGET=aarch64-unknown-linux-musl (or x86_64-pc-windows-gnu,
#                        or a macOS target on a Mac) builds that one target alone;
#                        CROSS_CHECKS=0 leaves out the Windows and macOS compile checks
#                        MFA_REPOSITORY=owner/name (the release workflow's) makes the
#                        .deb's Homepage https://github.com/owner/name, else Cargo.toml's
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=$(rustc -vV | sed -n 's/^host: //p')
DIST=$PWD/target/dist

# Every target of the release this machine builds, one run each into one target/dist;
# each run's SHA256SUMS covers what the runs before it made too.
if [ -z "${TARGET:-}" ] && [ "$HOST" = x86_64-unknown-linux-gnu ]; then
  rm -rf "$DIST"
  failed=()
  for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-pc-windows-gnu; do
    printf '\n######## %s\n' "$target"
    TARGET=$target DIST_KEEP=1 "$0" || failed+=("$target")
  done
  printf '\n######## macOS\n'
  echo "skip  aarch64-apple-darwin, x86_64-apple-darwin: linking needs Apple's SDK, which" \
    "is not here (the crate was compiled for macOS above); the release workflow builds" \
    "and packages them on macOS runners"
  printf '\n######## every artifact in target/dist\n'
  (cd "$DIST" && cat SHA256SUMS)
  if [ ${#failed[@]} -gt 0 ]; then
    echo "checks failed for ${failed[*]}"
    exit 1
  fi
  echo "every check of every target passed"
  exit 0
fi

# Linux's release is static: on a glibc host, the same machine's musl target.
TARGET=${TARGET:-${HOST/%-linux-gnu/-linux-musl}}
GLIBC=2.17
GENERATED=$DIST/generated
LINUX=0; [[ "$TARGET" == *-linux-gnu || "$TARGET" == *-linux-musl ]] && LINUX=1
STATIC=0; [[ "$TARGET" == *-linux-musl ]] && STATIC=1
WINDOWS=0; [[ "$TARGET" == *-windows-* ]] && WINDOWS=1
# Where the target runs here as it is (the host's, or its static twin): the crate's own
# checks run too.
HOME_RUN=0
[[ "$TARGET" == "$HOST" || "$TARGET" == "${HOST/%-linux-gnu/-linux-musl}" ]] && HOME_RUN=1
CROSS_CHECKS=${CROSS_CHECKS:-$HOME_RUN}
# A fixed time for every file in the artifacts: the last commit's, else the epoch.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

failures=0
# shellcheck source=tools/common.sh
. tools/common.sh
step() { printf '\n== %s\n' "$*"; }

# What it needs: Debian packages, cargo-zigbuild and zig, cargo-deb, rustup targets.
need_tools() {
  step "tools"
  if { [ "$LINUX" = 1 ] || [ "$WINDOWS" = 1 ]; } && command -v apt-get >/dev/null; then
    missing=()
    command -v objdump >/dev/null || missing+=(binutils)
    if [ "$LINUX" = 1 ]; then
      command -v lintian >/dev/null || missing+=(lintian)
      command -v man >/dev/null || missing+=(man-db)
      command -v groff >/dev/null || missing+=(groff-base)
      command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
    fi
    [ "$STATIC" = 0 ] || command -v podman >/dev/null || missing+=(podman)
    if [[ "$TARGET" == aarch64-* && "$HOST" != aarch64-* ]]; then
      # Static itself, so it also runs inside an empty root.
      command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
      [ "$STATIC" = 1 ] || [ -d /usr/aarch64-linux-gnu/lib ] || missing+=(libc6-arm64-cross)
    fi
    [ "$WINDOWS" = 0 ] || command -v wine >/dev/null || missing+=(wine wine64)
    if [ ${#missing[@]} -gt 0 ]; then
      echo "installing ${missing[*]}"
      SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
      $SUDO apt-get install -y -q "${missing[@]}" >/dev/null ||
        { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null; }
    fi
  fi
  VENV=$PWD/target/dist-tools
  if [ "$LINUX" = 1 ] || [ "$WINDOWS" = 1 ] || [ "$CROSS_CHECKS" = 1 ]; then
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
  # aarch64 Linux on another machine, wine for Windows (RUNNER_ENV: what it needs to be
  # given, also where the environment is otherwise cleared).
  RUNNER=()
  RUNNER_ENV=()
  if [[ "$TARGET" == aarch64-*-linux-* && "$HOST" != aarch64-* ]] && command -v qemu-aarch64-static >/dev/null; then
    # A static binary needs no libraries of its architecture; a glibc one, Debian's.
    RUNNER=(qemu-aarch64-static)
    [ "$STATIC" = 1 ] || RUNNER+=(-L /usr/aarch64-linux-gnu)
  elif [ "$WINDOWS" = 1 ] && [[ "$HOST" == *-linux-* ]] && command -v wine >/dev/null; then
    RUNNER=(wine)
    # A prefix (the Windows drive C:) of the check's own; set up below.
    RUNNER_ENV=(WINEPREFIX= WINEDEBUG=-all)
  fi

  VERSION=$(cargo metadata --no-deps --format-version 1 --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["packages"][0]["version"])')
  NAME=mfa-$VERSION-$TARGET
  HOMEPAGE=$(sed -n 's/^homepage = "\(.*\)"$/\1/p' Cargo.toml | head -1)
  [ -z "${MFA_REPOSITORY:-}" ] || HOMEPAGE=https://github.com/$MFA_REPOSITORY
  TARBALL=$NAME.tar.gz
  ZIP=$NAME.zip
  IMAGE=$NAME.oci.tar
  EXE=mfa; [ "$WINDOWS" = 0 ] || EXE=mfa.exe
  case "$TARGET" in
    x86_64-*) ARCH=amd64 ;;
    aarch64-*) ARCH=arm64 ;;
    *) ARCH=unknown ;;
  esac
  DEB=mfa_$VERSION-1_$ARCH.deb
  # One target alone starts afresh; in a run of every target, each replaces its own.
  if [ "${DIST_KEEP:-0}" = 1 ]; then
    rm -rf "${DIST:?}/$TARBALL" "${DIST:?}/$ZIP" "${DIST:?}/$IMAGE"
    [ "$LINUX" = 0 ] || rm -f "$DIST/$DEB"
  else
    rm -rf "$DIST"
  fi
  mkdir -p "$GENERATED"
}

# The binary, and the man page and completions made from it.
build() {
  if [ "$STATIC" = 1 ]; then
    step "build ($TARGET, static)"
    cargo zigbuild --release --locked --quiet --target "$TARGET"
  elif [ "$LINUX" = 1 ]; then
    step "build ($TARGET, glibc $GLIBC)"
    cargo zigbuild --release --locked --quiet --target "$TARGET.$GLIBC"
  elif [ "$WINDOWS" = 1 ] && [[ "$HOST" != *-windows-* ]]; then
    step "build ($TARGET, linked by zig)"
    cargo zigbuild --release --locked --quiet --target "$TARGET"
  else
    step "build ($TARGET)"
    cargo build --release --locked --quiet --target "$TARGET"
  fi
  BIN=$PWD/target/$TARGET/release/$EXE
  ls -l "$BIN"

  # The man page and the completions do not depend on the target: made by a binary that
  # runs here (the target's own when it can run, else a build for the host; wine would
  # only be slower).
  MAKER=("${RUNNER[@]}" "$BIN")
  if [ "$WINDOWS" = 1 ] || ! "${MAKER[@]}" --version >/dev/null 2>&1; then
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
}

# The zip (Windows).
make_zip() {
  if [ "$WINDOWS" = 1 ]; then
    step "zip"
    # Python's zipfile: zip(1) may not be here. One time for all (a zip cannot say a time
    # before 1980), sorted names: the same sources make the same bytes.
    python3 - "$DIST/$ZIP" "$NAME" "$SOURCE_DATE_EPOCH" "$BIN" README.md CHANGELOG.md \
      LICENSE-MIT LICENSE-APACHE "$GENERATED/_mfa.ps1" <<'ZIP'
import sys, time, zipfile
out, name, epoch, exe, *documents = sys.argv[1:]
when = time.gmtime(max(int(epoch), 315532800))[:6]
entries = {f"{name}/mfa.exe": (exe, 0o755)}
for document in documents:
    folder = "completions/" if document.endswith(".ps1") else ""
    entries[f"{name}/{folder}{document.rsplit('/', 1)[-1]}"] = (document, 0o644)
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    for entry in sorted(entries):
        source, mode = entries[entry]
        info = zipfile.ZipInfo(entry, when)
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(source, "rb") as data:
            archive.writestr(info, data.read())
ZIP
    ARTIFACTS=("$ZIP")
  fi
}

# The tarball (Linux, macOS).
make_tarball() {
  if [ "$WINDOWS" = 0 ]; then
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
  fi
}

# The .deb (Linux).
make_deb() {
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
    # Repacked with its fields made right: no dependency for a static binary, and no
    # empty Depends field either (lintian warns of one); the repository's address as
    # its Homepage, once the release workflow names it.
    repack=$DIST/repack
    dpkg-deb -R "$DIST/$DEB" "$repack"
    [ "$STATIC" = 0 ] || sed -i '/^Depends: *$/d' "$repack/DEBIAN/control"
    sed -i "s|^Homepage: .*|Homepage: $HOMEPAGE|" "$repack/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$repack" "$DIST/$DEB" >/dev/null
    rm -rf "$repack"
    ARTIFACTS+=("$DEB")
  fi
}

# The container image (static Linux).
make_image() {
  # podman builds a `FROM scratch` image without running a container. Its context holds
  # the binary where the Dockerfile looks for it, linux/ARCH/mfa, as the release
  # workflow's multi-architecture build does.
  if [ "$STATIC" = 1 ]; then
    step "container image"
    context=$DIST/image-context
    rm -rf "$context" && mkdir -p "$context/linux/$ARCH"
    cp "$BIN" "$context/linux/$ARCH/mfa"
    # The name `podman load` gives it, which the README runs next: one per version (a
    # machine loads the archive of its own architecture).
    tag=localhost/mfa:$VERSION
    if podman build --quiet --platform "linux/$ARCH" --timestamp "$SOURCE_DATE_EPOCH" \
      --build-arg VERSION="$VERSION" --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
      -t "$tag" -f Dockerfile "$context" >"$DIST/image.log" 2>&1 &&
      podman save --quiet --format oci-archive -o "$DIST/$IMAGE" "$tag" >>"$DIST/image.log" 2>&1; then
      podman rmi --force "$tag" >/dev/null 2>&1 || true
      ARTIFACTS+=("$IMAGE")
      echo "$IMAGE"
    else
      fail "podman could not build the image: $(tail -5 "$DIST/image.log")"
    fi
    rm -rf "$context" "$DIST/image.log"
  fi
}

# SHA256SUMS: of every artifact in target/dist, this target's and those a run before made.
write_checksums() {
  (cd "$DIST" && find . -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.deb' -o -name '*.zip' -o -name '*.oci.tar' \) |
    sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum -- >SHA256SUMS)
}

# ---- The checks ----

# files_in FOLDER: the files under FOLDER, relative to it, sorted, on one line.
files_in() {
  (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
}

# start_standin: the stand-in API on a free port of 127.0.0.1, logging to
# $CHECK/standin-PORT.log; sets PORT.
start_standin() {
  PORT=$(free_port)
  python3 tools/standin.py "$PORT" api-user dist-pw "$CHECK/standin-$PORT.log" &
  STANDINS+=($!)
  wait_for_port "$PORT"
}
APP=93de2206-9669-4e07-948d-329f4b722ee2
DRY_RUN=(voice --dry-run --to +15553334444 --from +15554443333 --application-id "$APP" --account-id 9900000)
SEND=(voice --to +15553334444 --from +15554443333 --application-id "$APP" --account-id 9900000 --username api-user)
README_REQUEST='^POST https://mfa.bandwidth.com/api/v1/accounts/9900000/code/voice'

# Runs a binary as a new user would: --version, then the README's first command (no
# credentials, no network). `where` names it in the lines.
runs() {
  local mfa=$1 where=$2 version
  [ ${#RUNNER[@]} = 0 ] || where="$where (under ${RUNNER[0]})"
  if ! version=$(env "${RUNNER_ENV[@]}" "${RUNNER[@]}" "$mfa" --version 2>"$CHECK/run.err"); then
    if [ "$HOME_RUN" = 0 ] && [ ${#RUNNER[@]} = 0 ]; then
      skip "$where: nothing here runs a $TARGET binary"
    else
      fail "$where: mfa --version failed: $(head -3 "$CHECK/run.err")"
    fi
    return
  fi
  version=${version%$'\r'}
  if [ "$version" = "mfa $VERSION" ]; then
    pass "$where: mfa --version: $version"
  else
    fail "$where: mfa --version: $version"
  fi
  if env -i HOME="$CHECK/home" PATH=/usr/bin:/bin "${RUNNER_ENV[@]}" "${RUNNER[@]}" "$mfa" "${DRY_RUN[@]}" \
    >"$CHECK/run.out" 2>"$CHECK/run.err" && grep -q "$README_REQUEST" "$CHECK/run.out"; then
    pass "$where: mfa makes the README's dry run"
  else
    fail "$where: mfa does not make the README's dry run: $(head -3 "$CHECK/run.out" "$CHECK/run.err")"
  fi
}

# in_root ROOT WHERE USER: the static binary at /mfa in ROOT, run as USER (uid:gid) with
# nothing but what it is given, as a `FROM scratch` container runs it: no library, no
# config, no HOME; for a lookup, only the /etc/hosts a container runtime writes. Checks
# --version, the README's dry run, a send to a stand-in looked up by name, a failed
# lookup. chroot needs root; an aarch64 binary runs under qemu-user's static emulator,
# copied into ROOT as /qemu (the dynamically linked one cannot run inside).
in_root() {
  local root=$1 where=$2 user=$3 out
  local run=("$(command -v chroot)" --userspec="$user" "$root")
  mkdir -p "$root/etc"
  chmod 755 "$root"
  echo "127.0.0.1 localhost" >"$root/etc/hosts"
  if [ ${#RUNNER[@]} -gt 0 ]; then
    cp "$(command -v "${RUNNER[0]}")" "$root/qemu"
    run+=(/qemu)
    where="$where (under ${RUNNER[0]})"
  fi
  run+=(/mfa)
  IN_ROOT=("${run[@]}")
  if [ "$(env -i "${run[@]}" --version 2>&1)" = "mfa $VERSION" ]; then
    pass "$where: mfa --version"
  else
    fail "$where: mfa --version"
  fi
  if env -i "${run[@]}" "${DRY_RUN[@]}" 2>/dev/null | grep -q "$README_REQUEST"; then
    pass "$where: the README's dry run"
  else
    fail "$where: the README's dry run"
  fi
  start_standin
  # No HOME here, so no record for the guard's limits: they are off, as a container
  # without a writable home is told to set them (the README, The guard).
  out=$(env -i BW_PASSWORD=dist-pw MFA_MAX_CODES_PER_NUMBER=off "${run[@]}" "${SEND[@]}" --base-url "http://localhost:$PORT/api/v1" 2>&1 || true)
  if [[ "$out" == c-* ]]; then
    pass "$where: a send to a stand-in, its name looked up: $out"
  else
    fail "$where: a send to a stand-in: $out"
  fi
  # A name no lookup finds (a 64-character label): refused before any query.
  out=$(env -i BW_PASSWORD=dist-pw MFA_MAX_CODES_PER_NUMBER=off "${run[@]}" "${SEND[@]}" \
    --base-url "https://$(printf 'a%.0s' $(seq 64)).invalid/api/v1" 2>&1 || true)
  if [[ "$out" == *"its name could not be looked up"*"; nothing was sent" ]]; then
    pass "$where: a failed lookup says nothing was sent"
  else
    fail "$where: a failed lookup: $out"
  fi
}

can_chroot() {
  if [ "$(id -u)" != 0 ] || { [ "$HOME_RUN" = 0 ] && [ ${#RUNNER[@]} = 0 ]; }; then
    skip "$1: needs root and a binary this machine runs (natively or under qemu-user)"
    return 1
  fi
}

# A work folder for the checks, cleaned up (and every stand-in stopped) at exit.
start_checks() {
  step "checks"
  CHECK=$(mktemp -d)
  STANDINS=()
  cleanup() {
    [ ${#STANDINS[@]} = 0 ] || kill "${STANDINS[@]}" 2>/dev/null || true
    # wine leaves its server running a while: end it before its prefix goes.
    if [ "${#RUNNER_ENV[@]}" -gt 0 ] && [ -d "$CHECK/wine" ]; then
      env "${RUNNER_ENV[@]}" wineserver -k 2>/dev/null || true
    fi
    rm -rf "$CHECK"
  }
  trap cleanup EXIT
  [ "$WINDOWS" = 0 ] || [ ${#RUNNER_ENV[@]} = 0 ] || RUNNER_ENV=(WINEPREFIX="$CHECK/wine" WINEDEBUG=-all)
}

# What the binary links: nothing (static), glibc up to 2.17, or Windows' own DLLs.
check_linked() {
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
  elif [ "$WINDOWS" = 1 ]; then
    # Only Windows' own DLLs (10 and later): no MinGW runtime to carry along.
    dlls=$(objdump -p "$BIN" | sed -n 's/^[[:space:]]*DLL Name: //p' | LC_ALL=C sort -fu | tr '\n' ' ')
    others=$(tr ' ' '\n' <<<"$dlls" | grep -viE '^(api-ms-win-[a-z0-9-]+|kernel32|ntdll|advapi32|bcrypt|bcryptprimitives|crypt32|combase|ole32|shell32|userenv|ws2_32|secur32|ncrypt)\.dll$' | grep . || true)
    if [ -z "$others" ]; then
      pass "loads only Windows' own DLLs: $dlls"
    else
      fail "mfa.exe needs DLLs Windows does not have: $others"
    fi
  fi
}

# The static binary in an empty root.
check_empty_root() {
  if [ "$STATIC" = 1 ] && can_chroot "empty root"; then
    mkdir -p "$CHECK/root"
    cp "$BIN" "$CHECK/root/mfa"
    in_root "$CHECK/root" "empty root" 0:0
  fi
}


# The container image as a runtime runs it: its layers unpacked in order into a root,
# its config's user, entrypoint and labels read, then the entrypoint run as that user
# with no HOME, and the doctor and a send with settings from environment variables
# alone.
# The container image as a runtime runs it.
check_image() {
  if [ "$STATIC" = 1 ] && [ -f "$DIST/$IMAGE" ] && can_chroot "container image"; then
    config=$(python3 - "$DIST/$IMAGE" "$CHECK/image" <<'OCI'
import json, sys, tarfile
archive, root = sys.argv[1:]
with tarfile.open(archive) as oci:
    blob = lambda digest: oci.extractfile("blobs/" + digest.replace(":", "/"))
    index = json.load(oci.extractfile("index.json"))
    loads_as = index["manifests"][0].get("annotations", {}).get("org.opencontainers.image.ref.name")
    manifest = json.load(blob(index["manifests"][0]["digest"]))
    config = json.load(blob(manifest["config"]["digest"]))
    for layer in manifest["layers"]:
        with tarfile.open(fileobj=blob(layer["digest"])) as files:
            files.extractall(root, filter="data")
run = config["config"]
labels = run.get("Labels") or {}
print(config["architecture"], run.get("User"), " ".join(run.get("Entrypoint") or []),
      labels.get("org.opencontainers.image.version"), labels.get("org.opencontainers.image.title"),
      loads_as)
OCI
    )
    read -r arch user entrypoint version title loads_as <<<"$config"
    # `podman load` names it as its index says; the README runs it by that name next.
    if [ "$loads_as" = "localhost/mfa:$VERSION" ] &&
      grep -qx "podman run --rm $loads_as --version" README.md; then
      pass "container image: podman load names it $loads_as, as the README runs it next"
    else
      fail "container image: podman load names it $loads_as; the README runs localhost/mfa:$VERSION"
    fi
    contents=$(files_in "$CHECK/image")
    if [ "$arch $user $entrypoint $version $title" = "$ARCH 65534:65534 /usr/local/bin/mfa $VERSION mfa" ] &&
      [ "$contents" = "usr/local/bin/mfa" ]; then
      pass "container image: $ARCH, user $user (no root), entrypoint $entrypoint, labelled mfa $version, holds only $contents"
    else
      fail "container image: $config; holds $contents"
    fi
    # in_root runs /mfa: the entrypoint, by another name in the same root.
    ln "$CHECK/image/usr/local/bin/mfa" "$CHECK/image/mfa"
    in_root "$CHECK/image" "container image" 65534:65534
    # Settings from the environment alone, as `docker run -e ...` gives them.
    start_standin
    settings=(BW_ACCOUNT_ID=9900000 BW_USERNAME=api-user BW_PASSWORD=dist-pw BW_NUMBER=+15554443333
      BW_VOICE_APPLICATION_ID="$APP" BW_MESSAGING_APPLICATION_ID=b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90
      MFA_EXPIRATION_MINUTES=5 MFA_BASE_URL="http://localhost:$PORT/api/v1"
      MFA_VOICE_URL="http://localhost:$PORT/voice" MFA_MESSAGING_URL="http://localhost:$PORT/messaging"
      MFA_DASHBOARD_URL="http://localhost:$PORT/dashboard" MFA_MAX_CODES_PER_NUMBER=off
      "MFA_ALLOWED_COUNTRIES=US,CA")
    # Every line ok, and there are lines: an empty report is no pass. The guard's line
    # alone warns: its limit is off here, as in a container with no HOME to count in.
    if out=$(env -i "${settings[@]}" "${IN_ROOT[@]}" doctor 2>&1) && [ -n "$out" ] &&
      ! grep -vE '^ok |^warn  guard: off: ' <<<"$out" | grep -q .; then
      pass "container image: mfa doctor from the environment alone, every line ok but the guard's, off ($(wc -l <<<"$out") checks)"
    else
      fail "container image: mfa doctor from the environment alone: $out"
    fi
    out=$(env -i "${settings[@]}" "${IN_ROOT[@]}" sms --to +15553334444 2>&1 || true)
    if [[ "$out" == m-* ]]; then
      pass "container image: mfa sms from the environment alone: $out"
    else
      fail "container image: mfa sms from the environment alone: $out"
    fi
    # The README's `docker run` commands as written (continued lines joined), each as a
    # runtime runs it: the entrypoint with the words after the image's name, and only the
    # variables passed with -e, given the stand-in's values (and MFA_BASE_URL: the
    # stand-in's address in place of the API's).
    if [ "$HOME_RUN" = 1 ]; then
      { awk -v first="# a container" -f tools/readme-block.awk README.md
        awk -v first="docker run" -f tools/readme-block.awk README.md; } |
        sed -e ':a' -e '/\\$/{N;s/\\\n *//;ba' -e '}' | grep '^docker run' >"$CHECK/docker-runs"
      while IFS= read -r command; do
        # One word a line: the -e variables' assignments, a line "--", then the arguments.
        if ! read_words=$(python3 - "$command" "$VERSION" "${settings[@]}" 2>&1 <<'DOCKER'
import shlex, sys
command, version, *settings = sys.argv[1:]
values = dict(setting.split("=", 1) for setting in settings)
words = shlex.split(command)[2:]
passed = [f"MFA_BASE_URL={values['MFA_BASE_URL']}"]
while words[0].startswith("-"):
    option = words.pop(0)
    if option == "-e":
        passed.append(f"{words[0]}={values[words.pop(0)]}")
    elif option != "--rm":
        sys.exit(f"an option the check does not know: {option}")
if words.pop(0) != f"ghcr.io/OWNER/mfa:{version}":
    sys.exit(f"not the image of this version, ghcr.io/OWNER/mfa:{version}")
print("\n".join(passed + ["--"] + words))
DOCKER
        ); then
          fail "the README's \`$command\`: $read_words"
          continue
        fi
        mapfile -t words <<<"$read_words"
        separator=0
        while [ "${words[$separator]}" != -- ]; do separator=$((separator + 1)); done
        if out=$(env -i "${words[@]:0:$separator}" "${IN_ROOT[@]}" "${words[@]:$((separator + 1))}" 2>&1); then
          pass "the README's \`${command:0:60}...\` runs in the image"
        else
          fail "the README's \`$command\` in the image: $out"
        fi
      done <"$CHECK/docker-runs"
      [ -s "$CHECK/docker-runs" ] || fail "the README shows no \`docker run\`"
    fi
  fi
}

# The tarball's files, and its binary run.
check_tarball() {
  if [ "$WINDOWS" = 0 ]; then
    tar -xzf "$DIST/$TARBALL" -C "$CHECK"
    expected_files="CHANGELOG.md LICENSE-APACHE LICENSE-MIT README.md completions/_mfa completions/_mfa.ps1 completions/mfa.bash completions/mfa.elv completions/mfa.fish mfa mfa.1"
    files=$(files_in "$CHECK/$NAME")
    if [ "$files" = "$expected_files" ]; then pass "tarball holds: $files"; else fail "tarball holds: $files"; fi
    runs "$CHECK/$NAME/mfa" "tarball"
  fi
}


# The zip as a Windows user unpacks it, mfa.exe run under wine: --version, the dry run,
# config init and set (the file lands under %APPDATA%), and a send to a stand-in with
# the settings of that file.
# The zip as a Windows user unpacks it.
check_zip() {
  if [ "$WINDOWS" = 1 ]; then
    python3 -m zipfile -e "$DIST/$ZIP" "$CHECK"
    expected_files="CHANGELOG.md LICENSE-APACHE LICENSE-MIT README.md completions/_mfa.ps1 mfa.exe"
    files=$(files_in "$CHECK/$NAME")
    if [ "$files" = "$expected_files" ]; then pass "zip holds: $files"; else fail "zip holds: $files"; fi
    if [ ${#RUNNER[@]} = 0 ]; then
      skip "zip: no wine here to run mfa.exe"
    else
      # Debian's wine 8.0 lacks bcryptprimitives.dll (Windows 10 and later have it), where
      # Rust's standard library gets its random numbers: a stand-in, beside mfa.exe in
      # this check's copy only (see the comment in its source).
      python3 -m ziglang cc -target x86_64-windows-gnu -shared -O2 -o "$CHECK/$NAME/bcryptprimitives.dll" \
        tools/wine/bcryptprimitives.c -ladvapi32 >"$CHECK/dll.log" 2>&1 ||
        fail "the stand-in bcryptprimitives.dll: $(head -5 "$CHECK/dll.log")"
      exe=$CHECK/$NAME/mfa.exe
      # A new prefix for the runs below, made before them so that its set-up is not timed
      # or mixed with their output.
      env "${RUNNER_ENV[@]}" wineboot --init >/dev/null 2>&1 || true
      runs "$exe" "zip"
      on_windows() { env -i PATH=/usr/bin:/bin "${RUNNER_ENV[@]}" "$@"; }
      # Settings from the file alone; the password from the environment.
      wrote=$(on_windows wine "$exe" config init --no-input 2>&1 &&
        for setting in "account_id 9900000" "username api-user" "from +15554443333" "voice_application_id $APP"; do
          # shellcheck disable=SC2086 # KEY VALUE
          on_windows wine "$exe" config set $setting 2>&1 || exit
        done) || fail "zip: config init and set under wine: $wrote"
      file=$(find "$CHECK/wine/drive_c/users" -path '*/AppData/Roaming/mfa/config.toml' 2>/dev/null)
      shown=$(on_windows wine "$exe" config path 2>&1 | tr -d '\r')
      if [ -n "$file" ] && grep -q '^account_id = "9900000"' "$file" &&
        [[ "$shown" == "C:\\users\\"*"\\AppData\\Roaming\\mfa\\config.toml" ]]; then
        pass "zip: config init and set write %APPDATA%\\mfa\\config.toml (${shown})"
      else
        fail "zip: the config file is not under %APPDATA%: mfa config path says $shown; found ${file:-nothing}"
      fi
      start_standin
      out=$(on_windows BW_PASSWORD=dist-pw wine "$exe" voice --to +15553334444 \
        --base-url "http://127.0.0.1:$PORT/api/v1" 2>&1 | tr -d '\r' || true)
      sent=$(wc -l <"$CHECK/standin-$PORT.log" 2>/dev/null || echo 0)
      if [[ "$out" == c-* ]] && [ "$sent" = 1 ]; then
        pass "zip: a send to a stand-in with the file's settings: $out (one request)"
      else
        fail "zip: a send to a stand-in: $out ($sent requests)"
      fi
    fi
  fi
}

# The .deb's files, fields and binary; the man page; lintian.
check_deb() {
  if [ "$LINUX" = 1 ]; then
    # One file a line, sorted, as dpkg-deb lists them.
    expected_deb=$(printf '%s\n' ./usr/bin/mfa \
      ./usr/share/bash-completion/completions/mfa \
      ./usr/share/doc/mfa/README.md \
      ./usr/share/doc/mfa/changelog.Debian.gz \
      ./usr/share/doc/mfa/changelog.gz \
      ./usr/share/doc/mfa/copyright \
      ./usr/share/fish/vendor_completions.d/mfa.fish \
      ./usr/share/man/man1/mfa.1.gz \
      ./usr/share/zsh/vendor-completions/_mfa)
    deb_files=$(dpkg-deb -c "$DIST/$DEB" | awk '$1 !~ /^d/ {print $6}' | LC_ALL=C sort)
    if [ "$deb_files" = "$expected_deb" ]; then
      pass ".deb holds: ${deb_files//$'\n'/ }"
    else
      fail ".deb holds: ${deb_files//$'\n'/ }; expected: ${expected_deb//$'\n'/ }"
    fi
    homepage=$(dpkg-deb -f "$DIST/$DEB" Homepage)
    if [ "$homepage" = "$HOMEPAGE" ]; then
      pass ".deb: its Homepage is the repository, $homepage"
    else
      fail ".deb: its Homepage is $homepage, not $HOMEPAGE"
    fi
    depends=$(dpkg-deb -f "$DIST/$DEB" Depends)
    fields="$(dpkg-deb -f "$DIST/$DEB" Architecture), depends on ${depends:-nothing}"
    wanted="libc6 (>= $GLIBC)"; [ "$STATIC" = 1 ] && wanted=nothing
    if [ "$fields" = "$ARCH, depends on $wanted" ]; then pass ".deb: $fields"; else fail ".deb: $fields"; fi
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
}

# SHA256SUMS.
check_sums() {
  if (cd "$DIST" && sha256sum --quiet -c SHA256SUMS); then
    pass "SHA256SUMS checks"
  else
    fail "SHA256SUMS does not check"
  fi
}

# The README's install steps, run as written.
check_readme() {
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
    # The line the README's block writes into ~/.profile, literally.
    # shellcheck disable=SC2016
    profile_line='export PATH="$HOME/.local/bin:$PATH"'
    if (cd "$CHECK/downloads" && env -i HOME="$CHECK/readme-home" \
      PATH="/usr/bin:/bin" bash -ec "$block") >"$CHECK/readme.out" 2>&1 &&
      grep -qx "mfa $VERSION" "$CHECK/readme.out" &&
      grep -qxF "$profile_line" "$CHECK/readme-home/.profile"; then
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
}


# Windows and macOS cannot be run here, but the crate must compile for them, its tests
# too, with lints as errors (zig stands in for their C compilers).
# The crate compiling for Windows and macOS, clippy clean.
check_other_targets() {
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
}

# The artifacts made, and the verdict.
summary() {
  step "artifacts in target/dist"
  (cd "$DIST" && for file in "${ARTIFACTS[@]}"; do echo "$(wc -c <"$file") $file"; done && cat SHA256SUMS)
  echo
  if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "every check passed"
}

# ---- The release of one target, step by step ----
need_tools
build
make_zip
make_tarball
make_deb
make_image
write_checksums
start_checks
check_linked
check_empty_root
check_image
check_tarball
check_zip
check_deb
check_sums
check_readme
check_other_targets
summary
