# shellcheck shell=sh disable=SC2034 # sets variables for the scripts that source it
# shellcheck disable=SC2154 # $root is set by the caller
# Shared by packaging/{linux,windows,macos}/*.sh (sourced, POSIX sh).
#
# The caller sets $root (the repository) before sourcing. This file gives:
#   app_field KEY          a value from FyneApp.toml's [Details] (ID, Name,
#                          Version, Build, Icon): the one source of the app's
#                          identity for every package
#   load_app               sets APP_ID APP_NAME APP_VERSION APP_BUILD APP_ICON
#   tor_bundle PLATFORM    checks tor-bundles/PLATFORM against
#                          tor-bundles/manifest.json; sets TOR_BUNDLE_DIR,
#                          TOR_VERSION and TOR_FILES, returns 0 when the
#                          bundle is there and every file's SHA-256 matches,
#                          1 when it is absent; dies on a mismatch, an unpinned
#                          entry or a partial bundle
#   transports_bundle PLATFORM
#                          checks the pluggable transports (obfs4proxy,
#                          snowflake-client, webtunnel-client) in TOR_BUNDLE_DIR against
#                          tor-bundles/transports.json; sets PT_FILES. Call it
#                          after tor_bundle found a tor: a missing, partial or
#                          differing set is an error (tor-bundles/transports.sh
#                          builds it), unless NOOK_WITHOUT_TRANSPORTS=1
#   update_sums DIR        rewrites DIR/SHA256SUMS over the packages in DIR
#   die, note, sha256
#
# Environment:
#   NOOK_TOR_BUNDLES          where the per-platform bundle folders are
#                             (default $root/tor-bundles)
#   NOOK_TOR_MANIFEST         the manifest (default $root/tor-bundles/manifest.json;
#                             tests point it at a copy)
#   NOOK_TRANSPORTS_PINS      the transports' pins (default
#                             $root/tor-bundles/transports.json)
#   NOOK_REQUIRE_TOR_BUNDLE=1 a missing bundle is an error (release builds;
#                             the Linux and Windows scripts set it unless
#                             NOOK_WITHOUT_TOR=1 asks for a package without tor)

die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

need() {
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 || die "needs $_t (on Debian: apt-get install $(pkg_for "$_t"))"
	done
}

pkg_for() {
	case "$1" in
	dpkg-deb) echo dpkg ;;
	convert | identify) echo imagemagick ;;
	x86_64-w64-mingw32-gcc | x86_64-w64-mingw32-windres) echo gcc-mingw-w64-x86-64 ;;
	makensis) echo nsis ;;
	desktop-file-validate) echo desktop-file-utils ;;
	appstreamcli) echo appstream ;;
	xz) echo xz-utils ;;
	*) echo "$1" ;;
	esac
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

# app_field KEY: KEY's value in FyneApp.toml's [Details] table, quotes removed.
app_field() {
	awk -v key="$1" '
		/^[[:space:]]*\[/ { sect = $0; gsub(/[[:space:]\[\]]/, "", sect); next }
		sect == "Details" {
			line = $0
			sub(/^[[:space:]]*/, "", line)
			k = line; sub(/[[:space:]]*=.*/, "", k)
			if (k != key) next
			v = line; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[[:space:]]*(#.*)?$/, "", v)
			gsub(/^"|"$/, "", v)
			print v; exit
		}' "$root/FyneApp.toml"
}

load_app() {
	[ -f "$root/FyneApp.toml" ] || die "no FyneApp.toml in $root"
	APP_ID=$(app_field ID)
	APP_NAME=$(app_field Name)
	APP_VERSION=$(app_field Version)
	APP_BUILD=$(app_field Build)
	APP_ICON=$(app_field Icon)
	: "${APP_BUILD:=1}"
	echo "$APP_ID" | grep -Eq '^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$' || die "FyneApp.toml: ID '$APP_ID' is not a reverse-DNS name"
	echo "$APP_VERSION" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' || die "FyneApp.toml: Version '$APP_VERSION' is not MAJOR.MINOR.PATCH"
	echo "$APP_BUILD" | grep -Eq '^[0-9]+$' || die "FyneApp.toml: Build '$APP_BUILD' is not a number"
	[ -n "$APP_NAME" ] || die "FyneApp.toml: no Name"
	APP_ICON="$root/$APP_ICON"
	[ -f "$APP_ICON" ] || die "FyneApp.toml: icon $APP_ICON not found"
	# The lower-case name is the package and executable name (nook).
	APP_PKG=$(echo "$APP_NAME" | tr '[:upper:]' '[:lower:]')
}

# tor_bundle PLATFORM (linux-amd64, windows-amd64, darwin-arm64, …)
tor_bundle() {
	need jq
	_manifest=${NOOK_TOR_MANIFEST:-$root/tor-bundles/manifest.json}
	TOR_BUNDLE_DIR=${NOOK_TOR_BUNDLES:-$root/tor-bundles}/$1
	TOR_VERSION=$(jq -r '.tor_version' "$_manifest")
	TOR_FILES=$(jq -r --arg p "$1" '.platforms[$p].files // [] | .[]' "$_manifest")
	[ -n "$TOR_FILES" ] || die "tor-bundles/manifest.json has no platform $1"
	_present=0
	_missing=
	for _f in $TOR_FILES; do
		if [ -f "$TOR_BUNDLE_DIR/$_f" ]; then
			_present=$((_present + 1))
		else
			_missing="$_missing $_f"
		fi
	done
	if [ "$_present" = 0 ]; then
		if [ "${NOOK_REQUIRE_TOR_BUNDLE:-}" = 1 ]; then
			case "$1" in
			linux-amd64 | windows-amd64) _how="tor-bundles/build.sh $1" ;;
			*) _how="tor-bundles/fetch.sh $1" ;;
			esac
			die "no Tor bundle for $1 in $TOR_BUNDLE_DIR. Fill it with: $_how (or set NOOK_WITHOUT_TOR=1 for a package without tor)"
		fi
		return 1
	fi
	[ -z "$_missing" ] || die "the Tor bundle in $TOR_BUNDLE_DIR is incomplete: missing$_missing (fill it again: tor-bundles/build.sh $1, or fetch.sh for the platforms not built here)"
	for _f in $TOR_FILES; do
		_want=$(jq -r --arg p "$1" --arg f "$_f" '.platforms[$p].sha256[$f] // ""' "$_manifest")
		_got=$(sha256 "$TOR_BUNDLE_DIR/$_f")
		[ -n "$_want" ] || die "refusing $1/$_f: manifest.json pins no SHA-256 for it (pin it on a build machine: tor-bundles/fetch.sh --pin $1)"
		[ "$_want" = "$_got" ] || die "refusing $1/$_f: its SHA-256 is $_got, manifest.json says $_want"
		note "tor $TOR_VERSION $1/$_f: SHA-256 matches the manifest"
	done
	return 0
}

# transports_bundle PLATFORM: the pluggable transports beside the bundled tor
# (TOR_BUNDLE_DIR, set by tor_bundle), each with the SHA-256 that
# tor-bundles/transports.json pins for PLATFORM. Sets PT_FILES (empty with
# NOOK_WITHOUT_TRANSPORTS=1); dies when one is missing or differs.
transports_bundle() {
	PT_FILES=
	if [ "${NOOK_WITHOUT_TRANSPORTS:-}" = 1 ]; then
		note "NOOK_WITHOUT_TRANSPORTS=1: no pluggable transports in the package (no bridges where Tor is blocked)"
		return 0
	fi
	_pins=${NOOK_TRANSPORTS_PINS:-$root/tor-bundles/transports.json}
	_ext=
	case "$1" in windows-*) _ext=.exe ;; esac
	for _n in obfs4proxy snowflake-client webtunnel-client; do
		_f=$_n$_ext
		_want=$(jq -r --arg p "$1" --arg f "$_f" '.binaries[$p][$f] // ""' "$_pins")
		[ -n "$_want" ] || die "refusing $1/$_f: transports.json pins no SHA-256 for it"
		[ -f "$TOR_BUNDLE_DIR/$_f" ] || die "no $_f in $TOR_BUNDLE_DIR: build the pluggable transports with tor-bundles/transports.sh $1 (make package-linux/package-windows do), or set NOOK_WITHOUT_TRANSPORTS=1"
		_got=$(sha256 "$TOR_BUNDLE_DIR/$_f")
		[ "$_want" = "$_got" ] || die "refusing $1/$_f: its SHA-256 is $_got, transports.json says $_want"
		note "$1/$_f: SHA-256 matches transports.json"
		PT_FILES="$PT_FILES $_f"
	done
	return 0
}

# update_sums DIR: SHA256SUMS over the packages in DIR (names only, so
# "sha256sum -c SHA256SUMS" works in a folder of downloads).
update_sums() {
	(
		cd "$1" || exit 1
		set --
		for _f in *.deb *.tar.xz *.exe *.dmg *.zip; do
			[ -f "$_f" ] && set -- "$@" "$_f"
		done
		rm -f SHA256SUMS
		[ $# -gt 0 ] || exit 0
		for _f in "$@"; do
			printf '%s  %s\n' "$(sha256 "$_f")" "$_f"
		done >SHA256SUMS
	)
}

# epoch: a fixed timestamp for reproducible archives (the last commit's).
epoch() {
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		echo "$SOURCE_DATE_EPOCH"
	else
		git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s
	fi
}

# licenses OUT GOOS GOARCH PACKAGE: Nook's own licence (LICENSE), then the
# license texts of the Go toolchain and of every module compiled into PACKAGE
# for that platform, into OUT (one file), as their licenses (BSD, MIT,
# Apache-2.0 …) require when binaries are distributed. Reads the module
# cache; needs no network. bundle_licenses appends the bundled tor's.
licenses() {
	_out=$1
	{
		echo "$APP_NAME $APP_VERSION ($2-$3) and the software in it"
		echo "=========================================================="
		echo
		echo "== $APP_NAME (MIT)"
		echo
		cat "$root/LICENSE"
		echo
		echo "== Go $(go env GOVERSION) (standard library and runtime)"
		echo
		cat "$(go env GOROOT)/LICENSE"
		(cd "$root" && GOOS=$2 GOARCH=$3 CGO_ENABLED=1 go list -deps \
			-f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' "$4") |
			sort -u | while read -r _path _ver _dir; do
				[ -n "$_dir" ] || continue
				echo
				echo "== $_path $_ver"
				_found=0
				for _l in "$_dir"/LICENSE* "$_dir"/LICENCE* "$_dir"/COPYING* "$_dir"/NOTICE*; do
					[ -f "$_l" ] || continue
					echo
					cat "$_l"
					_found=1
				done
				[ "$_found" = 1 ] || echo "(no license file in the module; see https://$_path)"
			done
	} >"$_out"
}

# bundle_licenses PLATFORM: the licence notices of the tor bundled for
# PLATFORM. For a tor built by tor-bundles/build.sh (the manifest's source
# says so): tor, OpenSSL, libevent, zlib and the C runtime, taken from the
# pinned source tarballs by tor-bundles/licenses.sh; for the others, tor's
# licence (the Expert Bundle's and Debian's tor link their libraries as the
# platform provides them).
bundle_licenses() {
	_m=${NOOK_TOR_MANIFEST:-$root/tor-bundles/manifest.json}
	echo
	echo "== tor $TOR_VERSION (tor-bundles/$1)"
	if jq -r --arg p "$1" '.platforms[$p].source' "$_m" | grep -q '^built by tor-bundles/build.sh'; then
		sh "$root/tor-bundles/licenses.sh" "$1" || die "cannot list the licences of the $1 tor bundle"
		if [ -n "${PT_FILES:-}" ]; then
			sh "$root/tor-bundles/licenses.sh" --transports "$1" || die "cannot list the licences of the $1 pluggable transports"
		fi
	else
		echo
		tor_license
	fi
}

# tor_license: tor's license (3-clause BSD), shipped beside every bundled tor.
tor_license() {
	cat <<'EOF'
Tor is distributed under the 3-clause BSD license:

Copyright (c) 2001-2004, Roger Dingledine
Copyright (c) 2004-2006, Roger Dingledine, Nick Mathewson
Copyright (c) 2007-2019, The Tor Project, Inc.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

* Redistributions of source code must retain the above copyright notice, this
list of conditions and the following disclaimer.
* Redistributions in binary form must reproduce the above copyright notice,
this list of conditions and the following disclaimer in the documentation
and/or other materials provided with the distribution.
* Neither the names of the copyright owners nor the names of its contributors
may be used to endorse or promote products derived from this software without
specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR
ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
(INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON
ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
(INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
EOF
}

# The packages' words in other languages come from the app's catalogs
# (app/i18n/catalogs, go-i18n v2 JSON; docs/translations.md), so that
# translators edit one place. NOOK_CATALOGS overrides the folder (tests).
#   catalog_text TAG KEY   the text of KEY in TAG's catalog ("" if absent)
#   catalog_tags           the tags of the translations (not en, not the
#                          pseudo-locale en-XA)
#   posix_locale TAG       a tag as desktop entries and AppStream name it:
#                          pt-BR → pt_BR, zh-Hans → zh_CN
#   l10n_desktop FILE      appends GenericName[ll], Comment[ll] and
#                          Keywords[ll] for every translation
#   l10n_metainfo FILE     adds <summary xml:lang="ll"> for every
#                          translation after the English one
catalogs_dir() { echo "${NOOK_CATALOGS:-$root/app/i18n/catalogs}"; }

catalog_text() {
	_f=$(catalogs_dir)/$1.json
	[ -f "$_f" ] || return 0
	jq -r --arg k "$2" '.[$k].other // empty' "$_f"
}

catalog_tags() {
	for _f in "$(catalogs_dir)"/*.json; do
		_t=${_f##*/}
		_t=${_t%.json}
		case "$_t" in en | en-XA) ;; *) echo "$_t" ;; esac
	done
}

posix_locale() {
	case "$1" in
	zh-Hans) echo zh_CN ;;
	zh-Hant) echo zh_TW ;;
	*) echo "$1" | tr - _ ;;
	esac
}

l10n_desktop() {
	for _t in $(catalog_tags); do
		_l=$(posix_locale "$_t")
		for _pair in GenericName:package.generic_name Comment:package.comment Keywords:package.keywords; do
			_v=$(catalog_text "$_t" "${_pair#*:}")
			[ -n "$_v" ] && printf '%s[%s]=%s\n' "${_pair%%:*}" "$_l" "$_v" >>"$1"
		done
	done
	return 0
}

l10n_metainfo() {
	_lines=
	for _t in $(catalog_tags); do
		_v=$(jq -r '.["package.summary"].other // empty | @html' "$(catalogs_dir)/$_t.json")
		[ -n "$_v" ] && _lines="$_lines  <summary xml:lang=\"$(posix_locale "$_t")\">$_v</summary>
"
	done
	[ -n "$_lines" ] || return 0
	printf '%s' "$_lines" >"$1.l10n"
	awk -v f="$1.l10n" '{ print } /<summary>/ { while ((getline l < f) > 0) print l }' "$1" >"$1.new"
	mv "$1.new" "$1"
	rm -f "$1.l10n"
}

# The Windows installer's languages: every translation whose language NSIS
# has ("Contrib/Language files"), its own strings from the catalogs
# (installer.*).
#   nsis_language TAG      NSIS's name of TAG's language ("" if none)
#   l10n_nsis OUT          writes OUT, included by nook.nsi after its pages:
#                          MUI_LANGUAGE for English and each translation,
#                          and a LangString per installer.* key and language
nsis_language() {
	case "$1" in
	en) echo English ;; de) echo German ;; es) echo Spanish ;; fr) echo French ;;
	pt-BR) echo PortugueseBR ;; pt) echo Portuguese ;; ru) echo Russian ;; uk) echo Ukrainian ;;
	tr) echo Turkish ;; zh-Hans) echo SimpChinese ;; zh-Hant) echo TradChinese ;; fa) echo Farsi ;;
	ar) echo Arabic ;; it) echo Italian ;; pl) echo Polish ;; *) echo "" ;;
	esac
}

l10n_nsis() {
	: >"$1"
	for _t in en $(catalog_tags); do
		_n=$(nsis_language "$_t")
		[ -n "$_n" ] && printf '!insertmacro MUI_LANGUAGE "%s"\n' "$_n" >>"$1"
	done
	for _pair in UnIntro:installer.uninstall_intro UnProgram:installer.uninstall_program \
		UnProfilesName:installer.delete_profiles UnProfiles:installer.delete_profiles_text \
		Shortcut:installer.shortcut_comment; do
		for _t in en $(catalog_tags); do
			_n=$(nsis_language "$_t")
			[ -n "$_n" ] || continue
			# A key the translation lacks falls back to English.
			_v=$(jq -r --arg k "${_pair#*:}" '.[$k].other // empty' "$(catalogs_dir)/$_t.json")
			[ -n "$_v" ] || _v=$(catalog_text en "${_pair#*:}")
			_v=$(printf '%s' "$_v" | jq -Rr 'gsub("\\$"; "$$") | gsub("\""; "$\\\"") | gsub("{{\\.Name}}"; "${NAME}")')
			# shellcheck disable=SC2016 # ${LANG_…} is NSIS's, not the shell's
			printf 'LangString %s ${LANG_%s} "%s"\n' "${_pair%%:*}" "$(echo "$_n" | tr '[:lower:]' '[:upper:]')" "$_v" >>"$1"
		done
	done
}
