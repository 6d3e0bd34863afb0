<#
.SYNOPSIS
Builds the Windows installer of Dispensary: the PyInstaller folder, a quick check of the
`dispensary` command in it, then Inno Setup.

.DESCRIPTION
Run from any folder, in PowerShell 5.1 or 7, on 64-bit Windows with Python 3.11+ (python.org
build) and Inno Setup 6.3+:

    powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1

Makes installer\.build-venv (the project installed non-editable, and PyInstaller), runs
installer\dispensary.spec (the same spec as on Linux), and writes
installer\dist\dispensary\ and installer\dist\dispensary-VERSION-windows-setup.exe.

.PARAMETER Python
The Python used to make the build venv (default: the `py -3` launcher, else python.exe).

.PARAMETER Iscc
Inno Setup's compiler (default: ISCC.exe on PATH, else Inno Setup 6 in Program Files).
#>
param(
    [string]$Python = "",
    [string]$Iscc = ""
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Installer = Split-Path -Parent $PSScriptRoot
$Repo = Split-Path -Parent $Installer
$Venv = Join-Path $Installer ".build-venv"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$Dist = Join-Path $Installer "dist"
$Work = Join-Path $Installer "build"
$App = Join-Path $Dist "dispensary"

function Assert-Ok([string]$What) {
    # A program's exit code does not stop PowerShell by itself: stop the build here.
    if ($LASTEXITCODE -ne 0) { throw "$What exited with $LASTEXITCODE" }
}

$started = Get-Date

# 1. The build venv.
if (-not (Test-Path $VenvPython)) {
    if ($Python) {
        & $Python -m venv $Venv
    } elseif (Get-Command py -ErrorAction SilentlyContinue) {
        & py -3 -m venv $Venv
    } else {
        & python -m venv $Venv
    }
    Assert-Ok "python -m venv"
}

# 2. The project from a copy of the source (setuptools' build\ stays out of the tree), as on
#    Linux (installer/build.sh): first with its dependencies (PySide6 brings lrelease), then again
#    built with them, so that setup.py compiles the windows' translations into the package.
$stage = Join-Path ([System.IO.Path]::GetTempPath()) ("dispensary-build-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $stage | Out-Null
Copy-Item (Join-Path $Repo "pyproject.toml"), (Join-Path $Repo "setup.py"), `
    (Join-Path $Repo "MANIFEST.in"), (Join-Path $Repo "README.md"), (Join-Path $Repo "CHANGELOG.md") `
    $stage
Copy-Item -Recurse (Join-Path $Repo "src") (Join-Path $stage "src")
Copy-Item -Recurse (Join-Path $Repo "resources") (Join-Path $stage "resources")
Get-ChildItem -Path $stage -Recurse -Directory -Include "__pycache__", "*.egg-info" |
    Remove-Item -Recurse -Force
Get-ChildItem -Path $stage -Recurse -File -Include "*.qm" | Remove-Item -Force
& $VenvPython -m pip install --disable-pip-version-check -q $stage "pyinstaller>=6.10,<7" `
    "setuptools>=68" "wheel>=0.42"
Assert-Ok "pip install"
$env:PATH = (Join-Path $Venv "Scripts") + [System.IO.Path]::PathSeparator + $env:PATH
& $VenvPython -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation `
    --force-reinstall $stage
Assert-Ok "pip install (with the translations built)"
Remove-Item -Recurse -Force $stage

# 3. PyInstaller, with the spec shared with Linux.
Push-Location $Repo
try {
    & $VenvPython -m PyInstaller --noconfirm --log-level WARN `
        --distpath $Dist --workpath $Work (Join-Path $Installer "dispensary.spec")
    Assert-Ok "PyInstaller"
} finally {
    Pop-Location
}

# 4. A quick check of the built command: help, its version, the demo database, a sign-in and a
#    PDF report (installer/build.sh does the whole smoke test on Linux).
$check = Join-Path ([System.IO.Path]::GetTempPath()) ("dispensary-smoke-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $check | Out-Null
$env:DISPENSARY_HOME = Join-Path $check "home"
$cli = Join-Path $App "dispensary.exe"
$db = Join-Path $check "demo.sqlite3"
& $cli --help
Assert-Ok "dispensary --help"
$version = & $VenvPython -c "import dispensary; print(dispensary.__version__)"
Assert-Ok "the version"
$said = & $cli --version
Assert-Ok "dispensary --version"
if ($said -ne "dispensary $version") { throw "dispensary --version said '$said'" }
& $cli demo --db $db
Assert-Ok "dispensary demo"
$env:DISPENSARY_PASSWORD = "demo-pass-1"
$env:DISPENSARY_STUDY = "NCT07198672"
& $cli --db $db --user pharmacist inventory
Assert-Ok "dispensary inventory"
& $cli --db $db --user pharmacist report darf --out (Join-Path $check "darf.pdf")
Assert-Ok "dispensary report darf"
Remove-Item Env:DISPENSARY_PASSWORD, Env:DISPENSARY_STUDY, Env:DISPENSARY_HOME
if ((Get-Item (Join-Path $check "darf.pdf")).Length -lt 2000) { throw "darf.pdf is too small" }
Remove-Item -Recurse -Force $check

# 5. Inno Setup.
if (-not $Iscc) {
    $onPath = Get-Command ISCC.exe -ErrorAction SilentlyContinue
    if ($onPath) {
        $Iscc = $onPath.Source
    } else {
        $Iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
    }
}
if (-not (Test-Path $Iscc)) { throw "Inno Setup's ISCC.exe not found; pass -Iscc PATH" }
# The version is written once, in src\dispensary\__init__.py; the .iss is given it.
& $Iscc "/DAppVersion=$version" "/DBuiltFolder=$App" "/DOutputDir=$Dist" `
    (Join-Path $PSScriptRoot "dispensary.iss")
Assert-Ok "ISCC"

$size = (Get-ChildItem -Recurse -File $App | Measure-Object -Property Length -Sum).Sum
Write-Host ("Folder {0}: {1:N0} MB; installer in {2}; {3:N0} s" -f $App, ($size / 1MB), $Dist,
    ((Get-Date) - $started).TotalSeconds)
