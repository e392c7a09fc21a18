// Package assets holds Nook's embedded resources: the application icon and
// other files every frontend and installer uses. It imports only the
// standard library; the app wraps these bytes in toolkit resources.
package assets

import _ "embed"

// Icon is the 512×512 application icon (PNG).
//
//go:embed icon.png
var Icon []byte
