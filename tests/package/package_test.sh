#!/bin/sh
# The install rules and the Debian package, from the already built build folder:
#  1. `cmake --install BUILD --prefix TMP/inst` puts every file under the prefix;
#  2. cpack -G DEB (into a temporary folder of its own) makes acdd_<version>_<arch>.deb with the
#     programs, the unit in /lib/systemd/system, /etc/acdd/acdd.json as a conffile, the manual
#     pages, the maintainer scripts and computed dependencies; the packaged acdd accepts the
#     packaged configuration.
# Exits 77 (skipped) when cpack or dpkg-deb is missing.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -eu
BUILD=$1
SOURCE=$2

for tool in cpack dpkg-deb dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIPPED: $tool is not installed (apt-get install dpkg-dev cmake)"
        exit 77
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/acdd-package-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
# has LISTING PATH: the listing (dpkg-deb -c or find) names PATH.
has() {
    grep -q -- "$2\$" "$1" || fail "missing $2 in $(basename "$1")"
}

# --- 1. cmake --install with a prefix --------------------------------------------------------
cmake --install "$BUILD" --prefix "$TMP/inst" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log"; fail "cmake --install failed"; }
(cd "$TMP/inst" && find . ! -type d | sort) >"$TMP/installed"
for f in ./bin/acdd ./bin/acdctl ./bin/acd-sim ./bin/acd-load ./bin/acd-kamailio \
         ./etc/acdd/acdd.json ./lib/systemd/system/acdd.service \
         ./etc/acdd/acd-kamailio.json ./lib/systemd/system/acd-kamailio.service \
         ./share/acdd/kamailio/acdd.cfg ./share/acdd/web/index.html ./share/acdd/web/assets/desk.js \
         ./share/man/man8/acd-kamailio.8.gz \
         ./share/man/man8/acdd.8.gz ./share/man/man8/acdctl.8.gz \
         ./share/man/man5/acdd.json.5.gz ./share/man/man1/acd-sim.1.gz \
         ./share/man/man1/acd-load.1.gz \
         ./share/doc/acdd/README.md ./share/doc/acdd/operations.md ./share/doc/acdd/acdctl.md; do
    has "$TMP/installed" "$f"
done
cmp -s "$SOURCE/config/acdd.dist.json" "$TMP/inst/etc/acdd/acdd.json" ||
    fail "etc/acdd/acdd.json is not config/acdd.dist.json"
# Nothing outside the prefix: every line of the manifest starts with it.
if grep -v "^$TMP/inst/" "$BUILD/install_manifest.txt"; then
    fail "cmake --install wrote outside the prefix (above)"
fi

# --- 2. the Debian package ------------------------------------------------------------------
# A package folder of its own, so that a cpack run by hand in BUILD is left alone.
(cd "$BUILD" && cpack -G DEB -B "$TMP/deb") >"$TMP/cpack.log" 2>&1 ||
    { cat "$TMP/cpack.log"; fail "cpack -G DEB failed"; }
DEB=$(find "$TMP/deb" -maxdepth 1 -name 'acdd_*_*.deb' | head -n 1)
if [ -z "$DEB" ]; then
    cat "$TMP/cpack.log"
    echo "FAIL: no acdd_<version>_<arch>.deb in $TMP/deb"
    exit 1
fi
echo "package: $(basename "$DEB")"

dpkg-deb -c "$DEB" | awk '{print $NF}' >"$TMP/contents"
for f in ./usr/bin/acdd ./usr/bin/acdctl ./usr/bin/acd-sim ./usr/bin/acd-load \
         ./usr/bin/acd-kamailio ./lib/systemd/system/acd-kamailio.service \
         ./etc/acdd/acd-kamailio.json ./usr/share/acdd/kamailio/acdd.cfg ./usr/share/acdd/web/board.html \
         ./lib/systemd/system/acdd.service ./etc/acdd/acdd.json \
         ./usr/share/man/man8/acdd.8.gz ./usr/share/man/man8/acdctl.8.gz \
         ./usr/share/man/man5/acdd.json.5.gz ./usr/share/man/man1/acd-sim.1.gz \
         ./usr/share/man/man1/acd-load.1.gz \
         ./usr/share/doc/acdd/operations.md; do
    has "$TMP/contents" "$f"
done
if grep -q '^\./usr/etc/\|^\./usr/lib/systemd/' "$TMP/contents"; then
    fail "files under usr/etc or usr/lib/systemd: the Debian paths are /etc and /lib/systemd"
fi

dpkg-deb -I "$DEB" >"$TMP/info"
for f in conffiles postinst prerm postrm; do
    grep -Eq "lines +\*? +$f( |\$)" "$TMP/info" || fail "dpkg-deb -I lists no $f"
done
mkdir "$TMP/control"
dpkg-deb -e "$DEB" "$TMP/control"
[ "$(cat "$TMP/control/conffiles")" = "$(printf '/etc/acdd/acdd.json\n/etc/acdd/acd-kamailio.json')" ] ||
    fail "conffiles: $(cat "$TMP/control/conffiles")"
for s in postinst prerm postrm; do
    [ -x "$TMP/control/$s" ] || fail "$s is not executable"
done
grep -q 'adduser --system --group --home /var/lib/acdd --no-create-home' "$TMP/control/postinst" ||
    fail "postinst does not create the system user"
if grep -v '^ *#' "$TMP/control/postinst" | grep -q 'systemctl \(enable\|start\)'; then
    fail "postinst enables or starts acdd"
fi

depends=$(dpkg-deb -f "$DEB" Depends)
echo "Depends: $depends"
for d in adduser libsqlite3 libssl libsystemd0 libc6 libstdc++6; do
    echo "$depends" | grep -q "$d" || fail "Depends lacks $d"
done
[ "$(dpkg-deb -f "$DEB" Package)" = "acdd" ] || fail "Package is not acdd"

# The packaged acdd accepts the packaged configuration, and the packaged unit is the project's.
dpkg-deb -x "$DEB" "$TMP/root"
cmp -s "$SOURCE/config/acdd.service" "$TMP/root/lib/systemd/system/acdd.service" ||
    fail "the packaged unit is not config/acdd.service"
out=$("$TMP/root/usr/bin/acdd" --check-config -c "$TMP/root/etc/acdd/acdd.json" 2>&1) ||
    fail "acdd --check-config refuses the packaged configuration: $out"
[ "$out" = "ok: $TMP/root/etc/acdd/acdd.json" ] || fail "acdd --check-config said: $out"
out=$("$TMP/root/usr/bin/acd-kamailio" --check-config -c "$TMP/root/etc/acdd/acd-kamailio.json" 2>&1) ||
    fail "acd-kamailio --check-config refuses the packaged configuration: $out"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "ok"
