package protocol

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nookchat/nook/engine/model"
)

// Limits on record fields, checked by Decode before allocating and by Encode
// before sending (docs/protocol.md §6).
const (
	MaxBody         = 64 << 10  // Text body, bytes of UTF-8
	MaxNameRunes    = 64        // display name, runes
	MaxNameBytes    = 256       // display name, bytes
	MaxAckIDs       = 1024      // message ids in one Ack
	MaxProof        = 256       // ContactRequest invite proof, bytes
	MaxAttrValue    = 192 << 10 // ProfileAttr value, bytes
	MaxGroupInvite  = 16 << 10  // GroupInvite payload, bytes
	MaxFileNameSize = 255       // FileOffer name, bytes
)

// checkDisappear reports why d is not a disappearing timer: whole seconds,
// from 0 to model.MaxDisappear.
func checkDisappear(d time.Duration) error {
	if d < 0 || d > model.MaxDisappear || d%time.Second != 0 {
		return fmt.Errorf("disappearing timer must be whole seconds from 0 to %v", model.MaxDisappear)
	}
	return nil
}

// checkText reports why s is not a valid message body.
func checkText(s string) error {
	if len(s) > MaxBody {
		return fmt.Errorf("longer than %d bytes", MaxBody)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	return nil
}

// CheckDisplayName reports why s cannot be a display name, or nil: it must
// be valid UTF-8 of at most MaxNameRunes runes and MaxNameBytes bytes
// without the characters model.ForbiddenInName reports (control characters,
// and format characters other than ZWJ: text-direction overrides, isolates
// and marks, invisible characters).
func CheckDisplayName(s string) error {
	if len(s) > MaxNameBytes {
		return fmt.Errorf("display name longer than %d bytes", MaxNameBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("display name is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxNameRunes {
		return fmt.Errorf("display name longer than %d characters", MaxNameRunes)
	}
	if strings.IndexFunc(s, model.ForbiddenInName) >= 0 {
		return fmt.Errorf("display name contains control, text-direction or invisible characters")
	}
	return nil
}

// checkFileName reports why s cannot be an offered file's name.
func checkFileName(s string) error {
	switch {
	case s == "" || s == "." || s == "..":
		return fmt.Errorf("file name %q not allowed", s)
	case len(s) > MaxFileNameSize:
		return fmt.Errorf("file name longer than %d bytes", MaxFileNameSize)
	case !utf8.ValidString(s):
		return fmt.Errorf("file name is not valid UTF-8")
	case strings.ContainsAny(s, "/\\\x00") || strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("file name contains a path separator or control character")
	}
	return nil
}
