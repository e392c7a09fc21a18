// Package widgets provides Nook's reusable Fyne widgets and its theme.
//
//   - NewTheme: the Nook look (light, dark or following the system, with a
//     text-size scale for the appearance setting).
//   - MessageBubble: one message, with author, quote, time, delivery state,
//     a small timer when it will disappear, its reactions as chips under it
//     (emoji and count, the user's own outlined, tap to remove or join,
//     who reacted on hover), and a Reply / React / Copy text / Retry
//     context menu; reusable in a widget.List (SetMessage, HeightForWidth).
//   - FileCard: a shared file (a picture's thumbnail, or an icon by type,
//     with name, size and type), where its transfer stands in words
//     (FileStatus: progress with speed and time left, paused and why, how
//     it ended, the contact's limit) and Accept / Decline / Cancel /
//     Save as… / Open; FormatSize and TimeLeft say sizes and durations.
//   - ContactRow (with Avatar, StatusBadge and UnreadPill): one row of the
//     contact list, or a contact request with Accept, Reject and Block.
//   - QRView: a QR code on a white card that phones can read in dark mode.
//   - OnionAddress: an address in blocks of eight with a Copy button.
//   - CopyButton: copies a text and says "Copied" for a moment.
//   - CodeText: a code to copy (an invite's text) in the monospace font
//     alone, broken between characters to fit; it spares the screen the
//     fonts Fyne's monospace text style parses (docs/performance.md).
//   - TooltipButton and TooltipLayer: an icon button that names what it
//     does while pointed at or focused (Fyne 2.7 has no tooltips); the
//     layer holds the window's content and draws the tooltip. LockIcon is
//     the padlock of the lock button.
//   - Progress: Tor bootstrap and group catch-up, with an error state.
//   - PasswordStrength: a meter fed by a password entry (EstimatePassword).
//   - TimeFormat: "14:05", "Yesterday 14:05", "3 Mar 14:05", and for
//     sentences "today at 14:05" (Long), with an injectable clock.
//
// Widgets take plain data (strings, times and the small types defined here)
// and report user actions through OnX callbacks. They never import the
// engine: the app turns engine events into calls on these widgets, always
// on the Fyne goroutine (fyne.Do). The few that change themselves later
// (CopyButton and OnionAddress end their "Copied" feedback) do it through
// their Do field, fyne.Do unless set.
//
// Colours come from the current theme. The Nook theme defines a few colour
// names of its own (ColorNameBubbleOutgoing, ColorNameMuted, ...); under any
// other theme the widgets fall back to standard Fyne colour names, so they
// stay usable in previews and tests.
package widgets
