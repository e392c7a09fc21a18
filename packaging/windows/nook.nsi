; Nook's Windows installer (NSIS 3). Built by package.sh, which passes:
;   NAME ID PKG VERSION VERSION4   from FyneApp.toml
;   SRC      the staged files: PKG.exe, THIRD-PARTY-LICENSES.txt, tor-bundles\
;   ICON     the .ico made from assets/icon.png
;   OUTFILE  the installer to write
;   TOR      1 when tor-bundles\windows-amd64 is staged
;   SIGN     optional: a command that signs the file given as %1 in place
;   LANGFILE the installer's languages and strings, made from the app's
;            catalogs (common.sh l10n_nsis): English and every translation
;            NSIS has a language for; Windows' language chooses one
;
; A per-user install: no administrator rights, files in
; %LOCALAPPDATA%\Programs\<NAME>, shortcuts in the user's Start menu and on
; the desktop, the uninstaller registered under HKCU. The uninstaller keeps
; the profiles (%APPDATA%\<NAME>, where the app keeps them, and Fyne's
; settings in %APPDATA%\fyne\<ID>) unless "Also delete my profiles" is ticked.
; Silent: "setup.exe /S" installs, "uninstall.exe /S" removes and keeps the
; profiles, "uninstall.exe /S /DELETEPROFILES" removes them too.

Unicode true
Target amd64-unicode
RequestExecutionLevel user
SetCompressor /SOLID lzma
ManifestDPIAware true
ManifestSupportedOS Win10

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "Sections.nsh"

!ifdef SIGN
!finalize '${SIGN} "%1"' = 0
!uninstfinalize '${SIGN} "%1"' = 0
!endif

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${ID}"

Name "${NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${NAME}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
BrandingText "${NAME} ${VERSION}"

VIProductVersion "${VERSION4}"
VIAddVersionKey "ProductName" "${NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${NAME} ${VERSION} installer"
VIAddVersionKey "CompanyName" "The ${NAME} developers"
VIAddVersionKey "LegalCopyright" "The ${NAME} developers"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${PKG}.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!define MUI_COMPONENTSPAGE_TEXT_TOP "$(UnIntro)"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!include "${LANGFILE}"

Section "${NAME}" SecProgram
	SectionIn RO
	SetShellVarContext current
	SetOutPath "$INSTDIR"
	File "${SRC}\${PKG}.exe"
	File "${SRC}\THIRD-PARTY-LICENSES.txt"
	; An upgrade replaces the whole bundle: no stale tor files.
	RMDir /r "$INSTDIR\tor-bundles"
!if "${TOR}" == "1"
	SetOutPath "$INSTDIR\tor-bundles"
	File /r "${SRC}\tor-bundles\*"
	SetOutPath "$INSTDIR"
!endif
	WriteUninstaller "$INSTDIR\uninstall.exe"

	CreateShortcut "$SMPROGRAMS\${NAME}.lnk" "$INSTDIR\${PKG}.exe" "" "$INSTDIR\${PKG}.exe" 0 SW_SHOWNORMAL "" "$(Shortcut)"
	CreateShortcut "$DESKTOP\${NAME}.lnk" "$INSTDIR\${PKG}.exe" "" "$INSTDIR\${PKG}.exe" 0 SW_SHOWNORMAL "" "$(Shortcut)"

	WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${NAME}"
	WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "The ${NAME} developers"
	WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${PKG}.exe,0"
	WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegStr HKCU "${UNINST_KEY}" "URLInfoAbout" "https://github.com/nookchat/nook"
	WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	IntFmt $0 "0x%08X" $0
	WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "un.${NAME}" SecUnProgram
	SectionIn RO
	SetShellVarContext current
	Delete "$SMPROGRAMS\${NAME}.lnk"
	Delete "$DESKTOP\${NAME}.lnk"
	Delete "$INSTDIR\${PKG}.exe"
	Delete "$INSTDIR\THIRD-PARTY-LICENSES.txt"
	RMDir /r "$INSTDIR\tor-bundles"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey HKCU "${UNINST_KEY}"
SectionEnd

Section /o "un.$(UnProfilesName)" SecUnProfiles
	SetShellVarContext current
	RMDir /r "$APPDATA\${NAME}"
	RMDir /r "$APPDATA\fyne\${ID}"
	RMDir "$APPDATA\fyne"
SectionEnd

; "uninstall.exe /S /DELETEPROFILES" ticks the box from the command line.
Function un.onInit
	${GetParameters} $R0
	ClearErrors
	${GetOptions} $R0 "/DELETEPROFILES" $R1
	IfErrors +2
	SectionSetFlags ${SecUnProfiles} ${SF_SELECTED}
FunctionEnd

!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
	!insertmacro MUI_DESCRIPTION_TEXT ${SecUnProgram} "$(UnProgram)"
	!insertmacro MUI_DESCRIPTION_TEXT ${SecUnProfiles} "$(UnProfiles)"
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END
