// Package linuxpkg holds the tests of Nook's Linux packages; the packages
// themselves are built by package.sh in this folder (make package-linux):
// a .deb made with dpkg-deb from a staging tree, and a .tar.xz with
// install.sh and uninstall.sh. common.sh, shared with the Windows and macOS
// scripts, reads FyneApp.toml and checks the bundled tor against
// tor-bundles/manifest.json.
//
// TestDeb installs the .deb with apt-get, starts the installed program under
// Xvfb and removes it again: it needs root, dpkg and apt, and skips loudly
// without them unless NOOK_REQUIRE_PACKAGING=1 makes that a failure (CI).
package linuxpkg
