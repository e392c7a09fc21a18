package invite

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nookchat/nook/engine/model"
)

// Limits on what Parse reads. They are checked before anything is allocated
// in proportion to the input.
const (
	// MaxInputLen is the longest text Parse looks at, in bytes, white space
	// included.
	MaxInputLen = 8192
	// MaxTextLen is the longest invite, in characters, once white space is
	// removed. The longest possible invite (a G3 group invite of a later
	// epoch on MaxGroupServers servers with a 256-byte name) has 1400
	// characters.
	MaxTextLen = 1536
	// MaxNameRunes and MaxNameBytes bound a contact's or group's name, as the
	// peer protocol bounds display names.
	MaxNameRunes = 64
	MaxNameBytes = 256
	// ChecksumSize is the number of checksum bytes at the end of every payload.
	ChecksumSize = 4
)

// maxUnix is the last second of the year 9999, the latest time this package
// decodes; later times do not survive a round trip through time.Time.
const maxUnix = 253402300799

// Scheme starts every invite.
const Scheme = "NOOK:"

// The prefixes of the invite kinds this version writes and reads. The letter
// names the kind, the number the layout version (docs/invites.md §2).
const (
	PrefixContact = "NOOK:C1:"
	PrefixServer  = "NOOK:S1:"
	PrefixGroup   = "NOOK:G1:"
	// PrefixGroupEpoch is the group invite of a group whose key was
	// renewed (group2.go): it carries the epoch, its key, the group ID and
	// the owner.
	PrefixGroupEpoch = "NOOK:G2:"
	// PrefixGroupOwned is the group invite that names the group's owner
	// in any epoch and every server the group lives on (group3.go).
	PrefixGroupOwned = "NOOK:G3:"
)

// Kind is the kind of thing an invite hands over.
type Kind uint8

// The invite kinds.
const (
	KindContact Kind = iota + 1 // a person: onion address and name
	KindServer                  // a group server: its signed bundle
	KindGroup                   // a group: name, key and server bundle
)

func (k Kind) String() string {
	switch k {
	case KindContact:
		return "contact"
	case KindServer:
		return "server"
	case KindGroup:
		return "group"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Invite is a parsed invite: a *ContactInvite, *ServerInvite or *GroupInvite.
type Invite interface {
	// Kind says which of the three it is.
	Kind() Kind
	// Encode returns the invite's text: upper case, without white space,
	// ready for a QR code or for copying.
	Encode() string
}

// ErrName is returned by NewContactInvite and NewGroupInvite for a name
// longer than MaxNameRunes characters or MaxNameBytes bytes, not valid UTF-8,
// or containing a character model.BadNameChar reports (control
// characters, text-direction overrides, isolates and marks, invisible
// characters and blank fillers; a zero-width joiner or variation selector
// 16 outside an emoji sequence). Parse reports
// such a name as ErrMalformed (wrapping ErrName).
var ErrName = errors.New("name is not allowed")

// errShort marks a payload that ends before its own header says it should.
var errShort = errors.New("payload ends early")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// frame returns prefix ‖ BASE32(payload ‖ checksum).
func frame(prefix string, payload []byte) string {
	sum := checksum(prefix, payload)
	raw := make([]byte, 0, len(payload)+ChecksumSize)
	raw = append(append(raw, payload...), sum[:]...)
	return prefix + b32.EncodeToString(raw)
}

// checksum is the first four bytes of SHA-256(prefix ‖ payload).
func checksum(prefix string, payload []byte) [ChecksumSize]byte {
	h := sha256.New()
	h.Write([]byte(prefix))
	h.Write(payload)
	var sum [ChecksumSize]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// kindCodec is what Parse needs of one prefix.
type kindCodec struct {
	prefix string
	// parse decodes the structure of a payload. It reports a payload that is
	// too short with an error wrapping errShort and does no expensive
	// validation (which check does), so that Parse may call it on a damaged
	// payload to tell truncation from a typo.
	parse func(data []byte) (Invite, error)
	// check validates what parse decoded: addresses, keys, signatures, expiry.
	check func(inv Invite, now time.Time) error
}

var codecs = []kindCodec{
	{PrefixContact, parseContact, checkContact},
	{PrefixServer, parseServer, checkServer},
	{PrefixGroup, parseGroup, checkGroup},
	{PrefixGroupEpoch, parseGroupEpoch, checkGroup},
	{PrefixGroupOwned, parseGroupOwned, checkGroup},
}

// Parse parses an invite of any kind, as pasted or read from a QR code: in
// upper or lower case, with white space and line breaks anywhere, with any
// invisible character (Unicode's default-ignorable code points: soft
// hyphens, zero-width joiners, direction marks...) anywhere except a
// text-direction control inside the invite (ErrDirection), and within the
// text around it ("Here is my invite: “NOOK:….”" finds the invite). Text
// holding two different invites is refused (ErrSeveral). It checks a
// contact invite's expiry against the current time; see ParseAt.
//
// Every error wraps one of ErrTooLong, ErrNotInvite, ErrVersion,
// ErrCharacters, ErrSeveral, ErrDirection, ErrChecksum, ErrTruncated,
// ErrMalformed, ErrAddress, ErrKey, ErrSignature or ErrExpired; Hint says
// what to tell the user.
func Parse(text string) (Invite, error) {
	return ParseAt(text, time.Now())
}

// maxCuts bounds how many shorter candidates ParseAt tries when words follow
// an invite.
const maxCuts = 64

// ParseAt is Parse with the current time given: a contact invite that
// expires at or before now is refused with ErrExpired.
func ParseAt(text string, now time.Time) (Invite, error) {
	if len(text) > MaxInputLen {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLong, len(text))
	}
	run, err := findInvite(text)
	if err != nil {
		return nil, err
	}
	inv, err := parseRun(run, now)
	if err == nil || !errors.Is(err, ErrChecksum) && !errors.Is(err, ErrCharacters) && !errors.Is(err, ErrTooLong) {
		return inv, err
	}
	// Words may follow the invite ("NOOK:… see you"): try it cut short at
	// each white space, last first. A candidate whose checksum is right is
	// the invite, whatever else is wrong with it; a wrong cut passes the
	// checksum with probability 2⁻³².
	cuts := 0
	for i := len(run) - 1; i > 0 && cuts < maxCuts; i-- {
		if !isSpace(run[i]) || isSpace(run[i-1]) {
			continue
		}
		cuts++
		cand, cerr := parseRun(run[:i], now)
		if cerr == nil {
			return cand, nil
		}
		for _, e := range []error{ErrVersion, ErrMalformed, ErrAddress, ErrKey, ErrSignature, ErrExpired} {
			if errors.Is(cerr, e) {
				return nil, cerr
			}
		}
	}
	return nil, err
}

// isSpace reports an ASCII white space byte (the cuts ParseAt tries).
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// parseRun parses text that holds only an invite, white space and invisible
// characters.
func parseRun(text string, now time.Time) (Invite, error) {
	s, err := compact(text)
	if err != nil {
		return nil, err
	}
	prefix, body, err := splitPrefix(s)
	if err != nil {
		return nil, err
	}
	raw, canonical, err := decodeBody(body, len(prefix))
	if err != nil {
		return nil, err
	}
	var codec *kindCodec
	for i := range codecs {
		if codecs[i].prefix == prefix {
			codec = &codecs[i]
		}
	}
	if len(raw) < ChecksumSize {
		return nil, fmt.Errorf("%w: %d of at least %d bytes", ErrTruncated, len(raw), ChecksumSize+1)
	}
	data, sum := raw[:len(raw)-ChecksumSize], raw[len(raw)-ChecksumSize:]
	if want := checksum(prefix, data); !canonical || !bytes.Equal(sum, want[:]) {
		// Damaged. If the header says the invite goes on beyond what is
		// here, say it is incomplete rather than mistyped.
		if codec != nil {
			if _, err := codec.parse(data); errors.Is(err, errShort) {
				return nil, fmt.Errorf("%w: %v", ErrTruncated, err)
			}
		}
		return nil, ErrChecksum
	}
	if codec == nil {
		return nil, fmt.Errorf("%w: %q", ErrVersion, strings.TrimSuffix(prefix[len(Scheme):], ":"))
	}
	inv, err := codec.parse(data)
	if errors.Is(err, errShort) {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err != nil {
		return nil, err
	}
	if err := codec.check(inv, now); err != nil {
		return nil, err
	}
	return inv, nil
}

// findInvite returns the part of text that holds the invite, without the
// invisible characters: from the first "NOOK:" (in any case) that is
// followed by a tag ("NOOK:C1:…"), else from the first "NOOK:", to the first
// quotation mark or bracket after it, or a full stop, comma, semicolon,
// exclamation or question mark that ends a sentence (none of these can be
// in an invite), or the next "NOOK:" with a tag. Text without "NOOK:" is
// returned whole, for splitPrefix to say what it is.
//
// It refuses (security review 2, L-B) text holding two different invites
// (ErrSeveral: "don't use the old one (M), use A" must not give M), and a
// text-direction control (U+202A–U+202E, U+2066–U+2069) inside the
// invite (ErrDirection), which other invisible characters are not: it can
// make the invite or the text around it show as something else. Before
// and after the invite (an RTL chat program isolating it) they are
// removed like the others.
func findInvite(text string) (string, error) {
	var b strings.Builder
	b.Grow(len(text))
	var marks []int // where in s text-direction controls were removed
	for _, r := range text {
		switch {
		case bidiControl(r):
			marks = append(marks, b.Len())
		case invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	first := -1
	var tagged []int
	for i := 0; i+len(Scheme) <= len(s); i++ {
		if !strings.EqualFold(s[i:i+len(Scheme)], Scheme) {
			continue
		}
		if first < 0 {
			first = i
		}
		rest := strings.TrimLeft(s[i+len(Scheme):], " \t\r\n")
		if len(rest) >= 2 && isLetter(rest[0]) && '1' <= rest[1] && rest[1] <= '9' {
			tagged = append(tagged, i)
		}
	}
	start := first
	if len(tagged) > 0 {
		start = tagged[0]
	}
	if start < 0 {
		return s, nil
	}
	// run returns where the invite starting at s[from] ends: at its end
	// mark, or where the next tagged one starts.
	run := func(k, from int) int {
		end := from + inviteEnd(s[from:])
		if k+1 < len(tagged) {
			end = min(end, tagged[k+1])
		}
		return end
	}
	end := run(0, start)
	if len(tagged) > 1 {
		one, _ := compact(s[start:end])
		for k := 1; k < len(tagged); k++ {
			other, _ := compact(s[tagged[k]:run(k, tagged[k])])
			if other != one {
				return "", fmt.Errorf("%w: at characters %d and %d", ErrSeveral, start+1, tagged[k]+1)
			}
		}
	}
	end = start + len(strings.TrimRightFunc(s[start:end], unicode.IsSpace))
	for _, m := range marks {
		if start < m && m < end {
			return "", fmt.Errorf("%w: at character %d", ErrDirection, m-start+1)
		}
	}
	return s[start:end], nil
}

// inviteEnd returns where the invite at the start of s ends: at the first
// quotation mark or bracket, or a full stop, comma, semicolon, exclamation
// or question mark followed by the end, white space (a no-break space too)
// or a quotation mark or bracket (security review 2, L-F: “NOOK:….”
// ends before its full stop, whose closing quote is more than one byte).
func inviteEnd(s string) int {
	for i, r := range s {
		switch {
		case quoteOrBracket(r):
			return i
		case r == '.', r == ',', r == ';', r == '!', r == '?':
			next, n := utf8.DecodeRuneInString(s[i+1:])
			if n == 0 || unicode.IsSpace(next) || quoteOrBracket(next) {
				return i
			}
		}
	}
	return len(s)
}

// quoteOrBracket reports the quotation marks and brackets that end an
// invite in a sentence.
func quoteOrBracket(r rune) bool {
	switch r {
	case '"', '\'', '`', '“', '”', '‘', '’', '«', '»', '„', '‚', '‹', '›', '「', '」', '『', '』',
		'(', ')', '[', ']', '{', '}', '<', '>':
		return true
	}
	return false
}

// bidiControl reports the text-direction embeddings, overrides, pops and
// isolates (U+202A–U+202E, U+2066–U+2069).
func bidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// invisible reports the characters an invite may hold anywhere and that
// parsing skips: Unicode's default-ignorable code points (model.Invisible,
// which names refuse).
func invisible(r rune) bool { return model.Invisible(r) }

// compact removes white space and invisible characters and upper-cases
// ASCII letters.
func compact(text string) (string, error) {
	if len(text) > MaxInputLen {
		return "", fmt.Errorf("%w: %d bytes", ErrTooLong, len(text))
	}
	out := make([]byte, 0, min(len(text), MaxTextLen))
	for _, r := range text {
		switch {
		case unicode.IsSpace(r) || invisible(r):
			continue
		case len(out) >= MaxTextLen:
			return "", fmt.Errorf("%w: more than %d characters", ErrTooLong, MaxTextLen)
		case 'a' <= r && r <= 'z':
			out = append(out, byte(r-'a'+'A'))
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return string(out), nil
}

// splitPrefix splits "NOOK:X1:BODY" into "NOOK:X1:" and "BODY". The tag is a
// letter and a version number of one to four digits without leading zero.
func splitPrefix(s string) (prefix, body string, err error) {
	if !strings.HasPrefix(s, Scheme) {
		if strings.HasPrefix(Scheme, s) && s != "" {
			return "", "", fmt.Errorf("%w: only %q", ErrTruncated, s)
		}
		return "", "", ErrNotInvite
	}
	rest := s[len(Scheme):]
	tag, body, found := strings.Cut(rest, ":")
	if !found {
		if validTag(rest, true) {
			return "", "", fmt.Errorf("%w: only the prefix", ErrTruncated)
		}
		return "", "", ErrNotInvite
	}
	if !validTag(tag, false) {
		return "", "", ErrNotInvite
	}
	return s[:len(Scheme)+len(tag)+1], body, nil
}

func validTag(tag string, partial bool) bool {
	if partial && tag == "" {
		return true
	}
	if len(tag) < 1 || len(tag) > 5 || tag[0] < 'A' || tag[0] > 'Z' {
		return false
	}
	digits := tag[1:]
	if digits == "" {
		return partial
	}
	if digits[0] == '0' {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// decodeBody decodes unpadded upper-case base32. It decodes as many whole
// bytes as there are, and reports whether the text was canonical: a length
// base32 can produce and zero bits after the last byte. offset is where body
// starts in the normalized text, for error messages.
func decodeBody(body string, offset int) (raw []byte, canonical bool, err error) {
	raw = make([]byte, 0, len(body)*5/8)
	var acc uint32
	var bits uint
	for i, r := range body {
		var v uint32
		switch {
		case 'A' <= r && r <= 'Z':
			v = uint32(r - 'A')
		case '2' <= r && r <= '7':
			v = uint32(r-'2') + 26
		default:
			shown := fmt.Sprintf("%q", string(r))
			if !unicode.IsPrint(r) {
				shown = fmt.Sprintf("%U", r)
			}
			return nil, false, fmt.Errorf("%w: %s at position %d, not counting spaces", ErrCharacters, shown, offset+utf8.RuneCountInString(body[:i])+1)
		}
		acc = acc<<5 | v
		bits += 5
		if bits >= 8 {
			bits -= 8
			raw = append(raw, byte(acc>>bits))
			acc &= 1<<bits - 1
		}
	}
	return raw, bits < 5 && acc == 0, nil
}

// CheckName reports why s cannot be a contact's or group's name in an
// invite (an error wrapping ErrName), or nil.
func CheckName(s string) error { return checkName(s) }

// checkName reports why s cannot be a contact's or group's name.
func checkName(s string) error {
	switch {
	case len(s) > MaxNameBytes:
		return fmt.Errorf("%w: longer than %d bytes", ErrName, MaxNameBytes)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: not valid UTF-8", ErrName)
	case utf8.RuneCountInString(s) > MaxNameRunes:
		return fmt.Errorf("%w: longer than %d characters", ErrName, MaxNameRunes)
	case model.BadNameChar(s) >= 0:
		return fmt.Errorf("%w: contains control, text-direction or invisible characters", ErrName)
	}
	return nil
}

// reader reads a payload front to back. Reads past the end set short and
// return zeros; callers check err() once at the end.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) take(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.short = true
		r.b = nil
		return make([]byte, max(n, 0))
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() byte { return r.take(1)[0] }

func (r *reader) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }

func (r *reader) u64() uint64 { return binary.BigEndian.Uint64(r.take(8)) }

// name reads a uvarint length (canonical, at most MaxNameBytes) and that
// many bytes, and checks them as a name.
func (r *reader) name() (string, error) {
	n, k := binary.Uvarint(r.b)
	switch {
	case k == 0:
		r.short = true
		return "", nil
	case k < 0 || n > MaxNameBytes:
		return "", fmt.Errorf("%w: name length out of range", ErrMalformed)
	case k != len(binary.AppendUvarint(nil, n)):
		return "", fmt.Errorf("%w: name length not minimally encoded", ErrMalformed)
	}
	r.b = r.b[k:]
	b := r.take(int(n))
	if r.short {
		return "", nil
	}
	if err := checkName(string(b)); err != nil {
		return "", fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return string(b), nil
}

// end reports errShort for a read past the end and ErrMalformed for bytes
// left over.
func (r *reader) end() error {
	if r.short {
		return errShort
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the end", ErrMalformed, len(r.b))
	}
	return nil
}

func appendName(b []byte, name string) []byte {
	b = binary.AppendUvarint(b, uint64(len(name)))
	return append(b, name...)
}
