// Package windowspkg holds the test of Nook's Windows installer; the
// installer itself is built by package.sh in this folder (make
// package-windows): nook.exe cross-built with mingw-w64, tor.exe built from
// source by tor-bundles/build.sh, obfs4proxy.exe, snowflake-client.exe and
// webtunnel-client.exe by tor-bundles/transports.sh, packed by NSIS from nook.nsi.
//
// TestWine (wine_test.go, make test-windows) runs the installer on this
// Linux machine under wine 10, in a Debian 13 tree made by winechroot.sh
// (Debian 12's wine 8 cannot run Go >= 1.24 programs): a silent install
// (files, shortcuts, registry), the installed nook.exe's window on an Xvfb
// display, the installed tor.exe, then the Windows engine (winpeer, beside
// nook.exe, with the installed tor.exe) joining a private Tor network on
// 127.0.0.1 and exchanging a message each way with a Linux engine, and the
// uninstaller (profiles kept unless asked). It needs root (chroot, mounts)
// and skips loudly without it unless NOOK_REQUIRE_PACKAGING=1 makes that a
// failure (CI).
package windowspkg
