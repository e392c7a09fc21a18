// Package macospkg holds the tests of Nook's macOS packaging. The .app and
// .dmg are built on a Mac by package.sh in this folder (make
// package-macos); here, TestDryRun runs the same script with --dry-run,
// which lays out the bundle from the same templates without a compiler, and
// checks the Info.plist, the icon and the layout.
package macospkg
