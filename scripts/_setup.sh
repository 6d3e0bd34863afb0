# shellcheck shell=bash
# Shared helpers for scripts/run and scripts/test. Source this file; don't run it.
#
#   ensure_env    one call that makes the checkout ready to run and test:
#                   1. Debian packages that PyPI's Qt (PySide6) wheels need
#                      (installed when root; otherwise listed, and we go on)
#                   2. .venv made with Python >= 3.11 (reused when it works)
#                   3. pip install -e '.[test]' whenever pyproject.toml or setup.py changed
#                   4. the windows' translations (.ts -> .qm)
#                 Prints one line per step; the second run takes well under 2 s.
#
# Also provides: REPO_ROOT, VENV, say/warn/die/header, is_root,
#                deb_missing, apt_install (used by pg_cluster.sh as well).
#
# Environment knobs:
#   PYTHON=/path/to/python3   interpreter for a new .venv (default: first of
#                             python3, python3.13, python3.12, python3.11 >= 3.11)
#   DISPENSARY_SKIP_APT=1     never touch Debian packages (just report)

if [[ -n ${_DISPENSARY_SETUP_SOURCED:-} ]]; then
    return 0
fi
_DISPENSARY_SETUP_SOURCED=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
# Stamp of the last successful `pip install -e '.[test]'`: sha256 of
# pyproject.toml and setup.py plus the checkout path (an editable install is tied to it).
_STAMP="$VENV/.dispensary-install-stamp"
_MIN_PY_MAJOR=3
_MIN_PY_MINOR=11

# Debian packages that PyPI's PySide6 wheels dlopen/link for the offscreen and
# xcb platforms (the wheels bundle Qt itself, not these system libraries).
# Debian 13 renamed a few (libasound2 -> libasound2t64, ...): a "<name>t64"
# package counts too, and is installed instead when "<name>" has no candidate.
QT_DEB_PACKAGES=(
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
    libdbus-1-3 libglib2.0-0 libx11-xcb1
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
    libxcb-xfixes0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-render0
    libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxi6 libasound2
    fonts-dejavu-core fontconfig
)

# ---------------------------------------------------------------- output ---

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}
# A stage header, easy to spot in a long CI log.
header() { printf '\n======== %s ========\n' "$*"; }

is_root() { [[ ${EUID:-$(id -u)} -eq 0 ]]; }

# ------------------------------------------------------- Debian packages ---

# Print (one per line) those of the given packages that are not installed.
deb_missing() {
    local status pkg
    status="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" "${@/%/t64}" 2>/dev/null || true)"
    for pkg in "$@"; do
        if ! grep -qxF -e "$pkg installed" -e "${pkg}t64 installed" <<<"$status"; then
            printf '%s\n' "$pkg"
        fi
    done
}

_APT_UPDATED=0
_apt_update_once() {
    ((_APT_UPDATED)) && return 0
    local out
    say "apt-get update"
    if ! out="$(DEBIAN_FRONTEND=noninteractive apt-get update -qq 2>&1)"; then
        printf '%s\n' "$out" >&2
        warn "apt-get update failed"
        return 1
    fi
    _APT_UPDATED=1
}

_apt_candidate() { # prints the candidate version of $1, or nothing
    apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# apt_install PKG...: install Debian packages (root only). Names with no
# candidate fall back to "<name>t64", else are reported and skipped.
apt_install() {
    local pkg out resolved=()
    _apt_update_once || return 1
    for pkg in "$@"; do
        if [[ -n "$(_apt_candidate "$pkg")" ]]; then
            resolved+=("$pkg")
        elif [[ -n "$(_apt_candidate "${pkg}t64")" ]]; then
            resolved+=("${pkg}t64")
        else
            warn "no Debian package named '$pkg' in the apt sources; skipping it"
        fi
    done
    ((${#resolved[@]})) || return 0
    say "apt-get install ${resolved[*]}"
    if ! out="$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${resolved[@]}" </dev/null 2>&1)"; then
        printf '%s\n' "$out" >&2
        warn "apt-get install failed"
        return 1
    fi
}

ensure_qt_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "system packages: not a Debian system, not checked"
        return 0
    fi
    local missing
    mapfile -t missing < <(deb_missing "${QT_DEB_PACKAGES[@]}")
    if ((${#missing[@]} == 0)); then
        say "system packages for Qt: ok"
        return 0
    fi
    if is_root && [[ ${DISPENSARY_SKIP_APT:-0} != 1 ]]; then
        say "system packages for Qt: installing ${#missing[@]} missing"
        apt_install "${missing[@]}" || die "could not install Debian packages: ${missing[*]}"
    else
        warn "Qt may not start: missing Debian packages: ${missing[*]}"
        warn "install them with: sudo apt-get install ${missing[*]}"
    fi
}

# ------------------------------------------------------------------ venv ---

_python_ok() { # $1 runs and is >= 3.11
    "$1" -c "import sys; sys.exit(sys.version_info < ($_MIN_PY_MAJOR, $_MIN_PY_MINOR))" \
        >/dev/null 2>&1
}

_find_python() {
    local cand
    for cand in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
        if command -v "$cand" >/dev/null 2>&1 && _python_ok "$cand"; then
            command -v "$cand"
            return 0
        fi
    done
    return 1
}

# Debian's own python3 has venv without ensurepip unless python3-venv is there.
_ensure_python_venv_module() {
    local py=$1 ver
    "$py" -c 'import ensurepip, venv' >/dev/null 2>&1 && return 0
    ver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    if is_root && command -v apt-get >/dev/null 2>&1 && [[ ${DISPENSARY_SKIP_APT:-0} != 1 ]]; then
        say "installing Debian's venv support for $py"
        apt_install "python${ver}-venv" || apt_install python3-venv ||
            die "could not install python${ver}-venv"
    else
        die "$py cannot create virtual environments; install python${ver}-venv (sudo apt-get install python${ver}-venv)"
    fi
}

ensure_venv() {
    local py
    if [[ -x $VENV/bin/python ]] && _python_ok "$VENV/bin/python"; then
        say "venv: $VENV ($("$VENV/bin/python" -c 'import platform; print("Python " + platform.python_version())'))"
        return 0
    fi
    py="$(_find_python)" || die "Python >= $_MIN_PY_MAJOR.$_MIN_PY_MINOR is needed; found none \
(tried: ${PYTHON:-} python3 python3.13 python3.12 python3.11; python3 is \
$(python3 --version 2>&1 || echo missing)). Install it or set PYTHON=/path/to/python3.11"
    _ensure_python_venv_module "$py"
    if [[ -e $VENV ]]; then
        say "venv: $VENV is broken or older than Python $_MIN_PY_MAJOR.$_MIN_PY_MINOR; recreating with $py"
        "$py" -m venv --clear "$VENV" || die "could not recreate $VENV"
    else
        say "venv: creating $VENV with $py ($("$py" --version 2>&1))"
        "$py" -m venv "$VENV" || die "could not create $VENV"
    fi
}

ensure_python_deps() {
    local want have log
    want="$(cat "$REPO_ROOT/pyproject.toml" "$REPO_ROOT/setup.py" | sha256sum | cut -d' ' -f1) $REPO_ROOT"
    have="$(cat "$_STAMP" 2>/dev/null || true)"
    if [[ $want == "$have" ]]; then
        say "Python packages: up to date"
        return 0
    fi
    say "Python packages: pip install -e '.[test]' (pyproject.toml or setup.py changed; may take a few minutes)"
    log="$(mktemp)"
    if ! (cd "$REPO_ROOT" && PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
        "$VENV/bin/python" -m pip install -q -e '.[test]' </dev/null >"$log" 2>&1); then
        tail -n 60 "$log" >&2
        rm -f "$log"
        die "pip install -e '.[test]' failed (output above)"
    fi
    rm -f "$log"
    printf '%s\n' "$want" >"$_STAMP"
}

# The windows' translations: resources/i18n/ui/*.ts built into .qm (never committed, so never
# stale). Quick; run at every set-up.
ensure_translations() {
    if "$VENV/bin/python" -m dispensary.ui.translations build >/dev/null; then
        say "translations: built (resources/i18n/ui/*.qm)"
    else
        warn "translations could not be built: the windows stay in English"
    fi
}

# -------------------------------------------------------------- together ---

ensure_env() {
    # Serialise concurrent set-ups of this checkout (scripts/run + scripts/test).
    local lock fd=""
    lock="${TMPDIR:-/tmp}/dispensary-env-$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12).lock"
    if command -v flock >/dev/null 2>&1 && { : >>"$lock"; } 2>/dev/null; then
        exec {fd}>>"$lock"
        flock "$fd"
    fi
    ensure_qt_system_packages
    ensure_venv
    ensure_python_deps
    ensure_translations
    if [[ -n $fd ]]; then
        exec {fd}>&-
    fi
    export VIRTUAL_ENV="$VENV"
    export PATH="$VENV/bin:$PATH"
}
