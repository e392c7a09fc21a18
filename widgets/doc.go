// Package widgets provides Nook's reusable Fyne widgets and its theme: a
// message bubble, a QR code view, an onion address with a copy button, a
// presence badge and unread pill, a labelled progress bar, a contact list
// row with an avatar, and a password strength meter.
//
// Widgets take plain data (strings, times and the small enums defined here)
// and report user actions through OnX callbacks. They never import the
// engine: the app turns engine events into calls on these widgets, always
// on the Fyne goroutine (fyne.Do).
//
// Colours come from the current theme. NewTheme returns Nook's own theme
// (light and dark, with a text-size scale); with any other theme the widgets
// fall back to the standard Fyne colour names, so they stay usable in
// previews and tests.
package widgets
