// Package assets holds Nook's embedded resources: the application icon and
// other files every frontend and installer uses. It imports only the
// standard library; the app wraps these bytes in toolkit resources.
package assets

import _ "embed"

// Icon is the 512×512 application icon (PNG).
//
//go:embed icon.png
var Icon []byte

// CJKFont is Droid Sans Fallback (Google, Apache License 2.0; the file of
// Debian's fonts-droid-fallback 1:6.0.1r16-1.1, its copyright in
// fonts/DroidSansFallbackFull.copyright): the glyphs of Chinese, Japanese
// and Korean, 4 MB. Fyne falls back to the system's fonts for characters
// its own font lacks, but a Linux system without a CJK font would show
// boxes: the app's theme uses this font while the language is Chinese,
// and only then reads it (docs/translations.md).
//
//go:embed fonts/DroidSansFallbackFull.ttf
var CJKFont []byte
