; Inno Setup 6.3+ script: installs the PyInstaller folder that installer\windows\build.ps1 builds
; (dist\dispensary: dispensary-gui.exe, dispensary.exe and _internal\).
;
;   ISCC.exe /DAppVersion=0.1.0 installer\windows\dispensary.iss
;
; The version is written once, in src\dispensary\__init__.py: build.ps1 reads it there and
; passes it as AppVersion (no default here, so that a stale one cannot ship).
;
; Installs for all users (Program Files, needs an administrator) or, when chosen in the first
; dialog or with /CURRENTUSER, for the current user only (%LOCALAPPDATA%\Programs). Each Windows
; user's database, backups and settings live in %LOCALAPPDATA%\Dispensary (platformdirs), which
; the uninstaller leaves alone: they are records.
;
; To point every workstation at one PostgreSQL server, install with
;   dispensary-0.1.0-windows-setup.exe /DB=postgresql+psycopg://dispensary@pharmacy-db/dispensary
; which sets DISPENSARY_DB (for all users in an all-users install, else for this user).

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z (build.ps1 reads src\dispensary\__init__.py)
#endif
#ifndef BuiltFolder
  #define BuiltFolder "..\dist\dispensary"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif

[Setup]
AppId={{2D577F53-318A-4F4A-B46C-ED3EF35278CA}
AppName=Dispensary
AppVersion={#AppVersion}
AppVerName=Dispensary {#AppVersion}
DefaultDirName={autopf}\Dispensary
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=dispensary-{#AppVersion}-windows-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\dispensary-gui.exe
UninstallDisplayName=Dispensary
ChangesEnvironment=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BuiltFolder}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Dispensary"; Filename: "{app}\dispensary-gui.exe"; WorkingDir: "{app}"
Name: "{autodesktop}\Dispensary"; Filename: "{app}\dispensary-gui.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: string; ValueName: "DISPENSARY_DB"; ValueData: "{param:DB}"; Flags: uninsdeletevalue; Check: DatabaseForAllUsers
Root: HKCU; Subkey: "Environment"; ValueType: string; ValueName: "DISPENSARY_DB"; ValueData: "{param:DB}"; Flags: uninsdeletevalue; Check: DatabaseForThisUser

[Run]
Filename: "{app}\dispensary-gui.exe"; Description: "{cm:LaunchProgram,Dispensary}"; Flags: nowait postinstall skipifsilent

[Code]
function DatabaseGiven: Boolean;
begin
  Result := ExpandConstant('{param:DB|}') <> '';
end;

function DatabaseForAllUsers: Boolean;
begin
  Result := DatabaseGiven and IsAdminInstallMode;
end;

function DatabaseForThisUser: Boolean;
begin
  Result := DatabaseGiven and not IsAdminInstallMode;
end;
