#!/usr/bin/env bash
# Builds the Linux distributable of Dispensary with PyInstaller, smoke-tests the built programs,
# and packs the folder as a .tar.gz.
#
#   installer/build.sh               build venv, PyInstaller, smoke test, size, .tar.gz
#   installer/build.sh --smoke-only  smoke-test the folder already in installer/dist
#
# The build venv (installer/.build-venv) holds the project installed from a copy of the
# source (non-editable, as a user would get it) and PyInstaller; it is reused between runs.
# Output: installer/dist/dispensary/ (dispensary-gui and dispensary) and
# installer/dist/dispensary-VERSION-linux-ARCH.tar.gz. See docs/INSTALL.md.
#
# Environment: PYTHON=/path/to/python3.11+ (needs its shared libpython, as PyInstaller does);
# DISPENSARY_SKIP_APT=1 never installs Debian packages (the Qt libraries, xvfb, binutils).

set -euo pipefail

INSTALLER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# say/warn/die/header, the Qt system packages, the Python finder; and the throwaway
# PostgreSQL cluster (used when a PostgreSQL server is installed here).
# shellcheck source=scripts/pg_cluster.sh
source "$INSTALLER/../scripts/pg_cluster.sh"

BUILD_VENV="$INSTALLER/.build-venv"
DIST="$INSTALLER/dist"
WORK="$INSTALLER/build"
APP="$DIST/dispensary"
PYINSTALLER_REQUIREMENT="pyinstaller>=6.10,<7"

SMOKE_ONLY=0
case "${1:-}" in
"") ;;
--smoke-only) SMOKE_ONLY=1 ;;
*) die "usage: installer/build.sh [--smoke-only]" ;;
esac

# ------------------------------------------------------------------ build ---

ensure_build_tools() {
    ensure_qt_system_packages
    # PyInstaller reads and strips ELF files with binutils; xvfb runs the xcb check.
    local want=() missing=()
    command -v objdump >/dev/null 2>&1 || want+=(binutils)
    command -v xvfb-run >/dev/null 2>&1 || want+=(xvfb xauth)
    ((${#want[@]})) || return 0
    if command -v dpkg-query >/dev/null 2>&1; then
        mapfile -t missing < <(deb_missing "${want[@]}")
    fi
    ((${#missing[@]})) || return 0
    if is_root && [[ ${DISPENSARY_SKIP_APT:-0} != 1 ]]; then
        apt_install "${missing[@]}" || warn "could not install ${missing[*]}"
    else
        warn "missing Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})"
    fi
    command -v objdump >/dev/null 2>&1 || die "PyInstaller needs objdump (Debian: binutils)"
}

ensure_build_venv() {
    local py
    if [[ -x $BUILD_VENV/bin/python ]] && _python_ok "$BUILD_VENV/bin/python"; then
        say "build venv: $BUILD_VENV (reused)"
        return 0
    fi
    py="$(_find_python)" || die "Python >= 3.11 is needed; set PYTHON=/path/to/python3.11"
    "$py" -c 'import sysconfig, sys; sys.exit(not sysconfig.get_config_var("Py_ENABLE_SHARED"))' ||
        warn "$py was built without a shared libpython; PyInstaller may refuse it (Debian: libpython3-dev)"
    _ensure_python_venv_module "$py"
    say "build venv: creating $BUILD_VENV with $py ($("$py" --version 2>&1))"
    "$py" -m venv --clear "$BUILD_VENV" || die "could not create $BUILD_VENV"
}

install_project() {
    # From a copy of the source (what a clone holds), so that setuptools' build/ and egg-info stay
    # out of the tree. Twice: first the dependencies (PySide6 brings lrelease), then the project
    # built here with them, so that setup.py compiles the windows' translations into it.
    local stage log
    stage="$(mktemp -d)"
    log="$stage.log"
    cp "$REPO_ROOT/pyproject.toml" "$REPO_ROOT/setup.py" "$REPO_ROOT/MANIFEST.in" \
        "$REPO_ROOT/README.md" "$REPO_ROOT/CHANGELOG.md" "$stage/"
    cp -r "$REPO_ROOT/src" "$stage/src"
    cp -r "$REPO_ROOT/resources" "$stage/resources"
    find "$stage" \( -name __pycache__ -o -name '*.egg-info' -o -name '*.qm' \) -prune -exec rm -rf {} +
    say "pip install dispensary (non-editable) and $PYINSTALLER_REQUIREMENT"
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$BUILD_VENV/bin/python" -m pip install \
        -q "$stage" "$PYINSTALLER_REQUIREMENT" "setuptools>=68" "wheel>=0.42" </dev/null >"$log" 2>&1 ||
        ! PATH="$BUILD_VENV/bin:$PATH" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
            "$BUILD_VENV/bin/python" -m pip install -q --no-deps --no-build-isolation \
            --force-reinstall "$stage" </dev/null >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        rm -rf "$stage" "$log"
        die "pip install into the build venv failed (output above)"
    fi
    rm -rf "$stage" "$log"
}

run_pyinstaller() {
    local log="$WORK/pyinstaller.log"
    mkdir -p "$WORK"
    say "PyInstaller (log: ${log#"$REPO_ROOT"/})"
    if ! (cd "$REPO_ROOT" && "$BUILD_VENV/bin/pyinstaller" --noconfirm --log-level WARN \
        --distpath "$DIST" --workpath "$WORK" "$INSTALLER/dispensary.spec") >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "PyInstaller failed (output above)"
    fi
}

# ------------------------------------------------------------ smoke test ---

PASSED=0
FAILED=0
SMOKE_DIR=""

passed() {
    PASSED=$((PASSED + 1))
    printf '  ok    %s\n' "$1"
}

failed() {
    FAILED=$((FAILED + 1))
    printf '  FAIL  %s\n' "$1"
    shift
    [[ $# -eq 0 ]] || printf '        %s\n' "$@"
}

# check NAME COMMAND...: the command exits 0; its output is kept in $SMOKE_DIR/NAME.log.
check() {
    local name=$1 log rc=0
    shift
    log="$SMOKE_DIR/${name// /-}.log"
    timeout 300 "$@" >"$log" 2>&1 </dev/null || rc=$?
    if ((rc == 0)); then
        passed "$name"
        return 0
    fi
    failed "$name" "exit $rc from: $*" "$(tail -n 15 "$log")"
    return 1
}

# output_has NAME TEXT: the output of the check NAME holds TEXT.
output_has() {
    local log="$SMOKE_DIR/${1// /-}.log"
    if grep -qF -- "$2" "$log"; then
        passed "$1 says '$2'"
    else
        failed "$1 says '$2'" "$(tail -n 15 "$log")"
    fi
}

is_pdf() {
    if [[ -s $1 ]] && [[ "$(head -c 5 "$1")" == "%PDF-" ]] && (($(stat -c %s "$1") > 2000)); then
        passed "${1##*/} is a PDF ($(stat -c %s "$1") bytes)"
    else
        failed "${1##*/} is a PDF" "missing, empty or not a PDF"
    fi
}

check_bundle_files() {
    local internal="$APP/_internal" missing=() path
    local wanted=(
        dispensary/resources/studies/NCT07198672.toml
        dispensary/resources/style.qss
        dispensary/resources/icons/down-arrow.svg
        dispensary/resources/fonts/wqy-microhei.ttc
        dispensary/resources/security/common-passwords.txt
        dispensary/resources/i18n/zh_CN.po
        dispensary/resources/i18n/ui/dispensary_zh_CN.qm
        babel/locale-data/root.dat
        babel/locale-data/en_GB.dat
        babel/locale-data/zh_Hans_CN.dat
        dispensary/db/migrations/env.py
        dispensary/db/migrations/versions/0001_initial_schema.py
        reportlab/fonts
        barcode/fonts
        PySide6/QtCharts.abi3.so
        PySide6/QtPdf.abi3.so
        PySide6/QtPdfWidgets.abi3.so
        PySide6/QtPrintSupport.abi3.so
        PySide6/Qt/plugins/platforms/libqxcb.so
        PySide6/Qt/plugins/platforms/libqoffscreen.so
        PySide6/Qt/plugins/printsupport/libcupsprintersupport.so
        PySide6/Qt/plugins/imageformats/libqsvg.so
        PySide6/Qt/plugins/iconengines/libqsvgicon.so
    )
    for path in "${wanted[@]}"; do
        [[ -e $internal/$path ]] || missing+=("$path")
    done
    if ((${#missing[@]})); then
        failed "bundle holds what the program reads" "missing: ${missing[*]}"
    else
        passed "bundle holds what the program reads (${#wanted[@]} files and folders)"
    fi
    local unwanted
    unwanted="$(find "$internal" \( -iname '*WebEngine*' -o -iname '*Qt63D*' -o -iname '*Multimedia*' \
        -o -iname 'libQt6Quick*' -o -iname 'libQt6Qml*' -o -name tkinter \) -print | head -n 5)"
    if [[ -z $unwanted ]]; then
        passed "no QtWebEngine, Qt3D, QtMultimedia, QtQuick or tkinter"
    else
        failed "no QtWebEngine, Qt3D, QtMultimedia, QtQuick or tkinter" "$unwanted"
    fi
}

# Qt parts the start-up does not load (PDF preview, charts, printing, SVG icons): every
# library they link to is in the folder or on this system.
check_linked_libraries() {
    local internal="$APP/_internal" lib broken=()
    local libs=(
        PySide6/QtCharts.abi3.so PySide6/QtPdf.abi3.so PySide6/QtPdfWidgets.abi3.so
        PySide6/QtPrintSupport.abi3.so
        PySide6/Qt/plugins/printsupport/libcupsprintersupport.so
        PySide6/Qt/plugins/imageformats/libqsvg.so PySide6/Qt/plugins/platforms/libqxcb.so
    )
    for lib in "${libs[@]}"; do
        [[ -e $internal/$lib ]] || continue
        if LD_LIBRARY_PATH="$internal:$internal/PySide6/Qt/lib:$internal/PySide6" \
            ldd "$internal/$lib" 2>&1 | grep -q 'not found'; then
            broken+=("$lib")
        fi
    done
    if ((${#broken[@]})); then
        failed "Qt modules and plugins find their libraries" "unresolved in: ${broken[*]}"
    else
        passed "Qt modules and plugins find their libraries (${#libs[@]} checked with ldd)"
    fi
}

check_cli() {
    local cli="$APP/dispensary" db="$SMOKE_DIR/demo.sqlite3" today
    today="$(date +%F)"
    check "cli help" "$cli" --help && output_has "cli help" "usage: dispensary"
    check "cli version" "$cli" --version && output_has "cli version" "dispensary $VERSION"
    check "cli demo" "$cli" demo --db "$db" && output_has "cli demo" "Demo database created"
    export DISPENSARY_PASSWORD=demo-pass-1 DISPENSARY_STUDY=NCT07198672
    check "cli inventory" "$cli" --db "$db" --user pharmacist inventory &&
        output_has "cli inventory" "available"
    check "cli report darf" "$cli" --db "$db" --user pharmacist report darf \
        --out "$SMOKE_DIR/darf.pdf" && is_pdf "$SMOKE_DIR/darf.pdf"
    check "cli label shipment" "$cli" --db "$db" --user pharmacist label shipment SH-0004 \
        --stock a4-sheet --out "$SMOKE_DIR/labels.pdf" && is_pdf "$SMOKE_DIR/labels.pdf"
    # A dispense at the counter, then its label in Chinese (the site's Chinese label text
    # confirmed first): the CJK font inside the folder is embedded in the PDF.
    check "cli enroll" "$cli" --db "$db" --user pharmacist enroll 01-900 --initials ZZ \
        --birth-year 1970 --sex F --criteria-confirmed --eligibility-confirmed-by "Zhenzhen Liu, M.D." --date "$today"
    check "cli dispense" "$cli" --db "$db" --user pharmacist --json dispense 01-900 --cycle 1 \
        --day1 "$today" --date "$today" && output_has "cli dispense" '"tablets": 21'
    local number
    number="$(sed -n 's/.*"dispense": "\([^"]*\)".*/\1/p' "$SMOKE_DIR/cli-dispense.log")"
    check "cli confirm Chinese label text" "$cli" --db "$db" --user admin study confirm \
        label.text.zh_CN --reason "smoke test"
    check "cli label dispense in Chinese" "$cli" --db "$db" --user pharmacist --lang zh_CN \
        label dispense "${number:-none}" --stock a4-sheet --out "$SMOKE_DIR/label-zh.pdf" &&
        is_pdf "$SMOKE_DIR/label-zh.pdf"
    if grep -aq "/BaseFont /[A-Z]*+WenQuanYiMicroHei" "$SMOKE_DIR/label-zh.pdf" 2>/dev/null; then
        passed "the Chinese label embeds the CJK font (WenQuanYi Micro Hei)"
    else
        failed "the Chinese label embeds the CJK font" "no WenQuanYiMicroHei font in label-zh.pdf"
    fi
    check "cli audit verify" "$cli" --db "$db" --user monitor audit verify
    # The site key (Ed25519, from the bundled cryptography) signs the backup's anchor log line.
    check "cli site key" "$cli" --db "$db" --user admin audit site-key --create \
        "$SMOKE_DIR/site.pem" --reason "smoke test" && output_has "cli site key" "fingerprint"
    check "cli backup, its log line signed" "$cli" --db "$db" --user admin backup \
        --out "$SMOKE_DIR/backups/smoke.sqlite3"
    check "cli verify against the signed anchor log" "$cli" --db "$db" --user monitor audit \
        verify --anchor-log "$SMOKE_DIR/backups" --public-key "$SMOKE_DIR/site.pem.pub" &&
        output_has "cli verify against the signed anchor log" "Signed by the site key"
    unset DISPENSARY_PASSWORD DISPENSARY_STUDY
    # No server on port 1: the message must come from libpq, so psycopg's driver loaded.
    local refused="$SMOKE_DIR/postgres-refused.log"
    DISPENSARY_PASSWORD=x timeout 60 "$cli" --db "postgresql+psycopg://nobody@127.0.0.1:1/none" \
        --user nobody inventory >"$refused" 2>&1 || true
    if grep -q "Connection refused\|connection failed" "$refused"; then
        passed "cli loads PostgreSQL's driver (connection refused on port 1, as expected)"
    else
        failed "cli loads PostgreSQL's driver" "$(tail -n 10 "$refused")"
    fi
}

check_cli_postgres() {
    if [[ -z "$(pg_bindir)" ]]; then
        say "PostgreSQL server not installed here: the PostgreSQL round trip is skipped"
        return 0
    fi
    pg_cluster_start >"$SMOKE_DIR/pg-start.log" 2>&1 || {
        failed "PostgreSQL test server starts" "$(tail -n 10 "$SMOKE_DIR/pg-start.log")"
        return 0
    }
    local cli="$APP/dispensary"
    DISPENSARY_PASSWORD=admin-pass-1 check "cli init on PostgreSQL" "$cli" --db "$PG_CLUSTER_URL" \
        init --admin admin --full-name "Ada Admin" &&
        DISPENSARY_PASSWORD=admin-pass-1 check "cli study show on PostgreSQL" "$cli" \
            --db "$PG_CLUSTER_URL" --user admin study show &&
        output_has "cli study show on PostgreSQL" "NCT07198672"
    pg_cluster_stop
}

# The desktop program up to its sign-in window, on the database the demo made: with
# DISPENSARY_STARTUP_PROBE it prints when the window is shown and the database open, then quits.
check_gui() {
    local gui="$APP/dispensary-gui" db="$SMOKE_DIR/demo.sqlite3"
    check "gui sign-in (offscreen)" env QT_QPA_PLATFORM=offscreen DISPENSARY_STARTUP_PROBE=1 \
        "$gui" --db "$db" && output_has "gui sign-in (offscreen)" "sign-in window shown after" &&
        output_has "gui sign-in (offscreen)" "database open after"
    if command -v xvfb-run >/dev/null 2>&1; then
        check "gui sign-in (xcb, Xvfb)" xvfb-run -a env QT_QPA_PLATFORM=xcb \
            DISPENSARY_STARTUP_PROBE=1 "$gui" --db "$db" &&
            output_has "gui sign-in (xcb, Xvfb)" "sign-in window shown after"
    else
        say "xvfb-run not installed: the xcb start is skipped (Debian: xvfb xauth)"
    fi
    local log="$SMOKE_DIR/gui-sign-in-(offscreen).log"
    if grep -qi "could not load\|cannot load\|no such file\|failed to\|traceback" "$log"; then
        failed "gui start-up prints no load errors" "$(grep -i "could not\|cannot\|no such\|failed\|traceback" "$log" | head -n 5)"
    else
        passed "gui start-up prints no load errors"
    fi
}

smoke_test() {
    [[ -x $APP/dispensary && -x $APP/dispensary-gui ]] || die "no build in $APP; run installer/build.sh"
    # Every check runs and reports; a failed one is counted, not a reason to stop here.
    set +e
    SMOKE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/dispensary-smoke.XXXXXX")"
    # The programs' settings, data and backups go to the smoke folder, not this user's.
    export DISPENSARY_HOME="$SMOKE_DIR/home"
    unset DISPENSARY_DB DISPENSARY_USER DISPENSARY_TODAY
    trap 'pg_cluster_stop' EXIT
    say "smoke test in $SMOKE_DIR"
    check_bundle_files
    check_linked_libraries
    check_cli
    check_cli_postgres
    check_gui
    printf 'smoke test: %d passed, %d failed\n' "$PASSED" "$FAILED"
    ((FAILED == 0)) || die "the smoke test failed; logs in $SMOKE_DIR"
    rm -rf "$SMOKE_DIR"
    set -e
}

# ----------------------------------------------------------------- main ---

STARTED=$SECONDS
if ((SMOKE_ONLY == 0)); then
    header "build"
    ensure_build_tools
    ensure_build_venv
    install_project
    run_pyinstaller
    say "built in $((SECONDS - STARTED)) s: $APP"
fi

# The version is written once, in src/dispensary/__init__.py (pyproject.toml reads it there).
VERSION="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$REPO_ROOT/src/dispensary/__init__.py")"

header "smoke test"
smoke_test

header "result"
ARCHIVE="$DIST/dispensary-$VERSION-linux-$(uname -m).tar.gz"
say "folder: $APP: $(du -sh "$APP" | cut -f1) ($(du -sb "$APP" | cut -f1) bytes, $(find "$APP" -type f | wc -l) files)"
if ((SMOKE_ONLY == 0)); then
    tar -C "$DIST" -czf "$ARCHIVE" dispensary
    say "archive: $ARCHIVE: $(du -sh "$ARCHIVE" | cut -f1)"
fi
say "done in $((SECONDS - STARTED)) s"
