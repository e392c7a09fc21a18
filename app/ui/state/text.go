package state

import (
	"strings"

	"github.com/nookchat/nook/engine/model"
)

// T and N are the state's seam to the app's translation layer (app/i18n):
// the sentences the state makes (list previews, group notes, why a group
// is read-only) are looked up by key, with placeholders given as pairs of
// a name and a value, and N chooses a plural form by count. The state
// imports neither Fyne nor the layer: app/ui sets them to i18n.T and
// i18n.N before it makes a Model. Until then they return the key.
var (
	T = func(key string, args ...any) string { return key }
	N = func(key string, count int, args ...any) string { return key }
)

// Say is a sentence of the engine's (model.Text) in the language in use:
// its key's sentence, its placeholders filled (a phrase set into it,
// itself a Text, translated in turn; Count choosing a plural form).
// fallback, a key of the app's, gives a generic sentence in its place when
// the Text has no key or the catalogs do not have it (one a later engine
// added): never the engine's English.
func Say(x model.Text, fallback string) string {
	if s, ok := say(x); ok {
		return s
	}
	return T(fallback)
}

// SayAll is Say for sentences that follow one another ("" for none); the
// fallback is said once.
func SayAll(xs []model.Text, fallback string) string {
	out := make([]string, 0, len(xs))
	fell := false
	for _, x := range xs {
		if s, ok := say(x); ok {
			out = append(out, s)
		} else if !fell {
			out = append(out, T(fallback))
			fell = true
		}
	}
	var b strings.Builder
	for i, s := range out {
		// Sentences follow one another after a space, except after a
		// full-width stop (Chinese, Japanese), which has its own.
		if i > 0 && !strings.HasSuffix(out[i-1], "。") && !strings.HasSuffix(out[i-1], "！") && !strings.HasSuffix(out[i-1], "？") {
			b.WriteString(" ")
		}
		b.WriteString(s)
	}
	return b.String()
}

func say(x model.Text) (string, bool) {
	if x.Key == "" {
		return "", false
	}
	args := make([]any, 0, 2*len(x.Args))
	for k, v := range x.Args {
		if p, ok := v.(model.Text); ok {
			s, ok := say(p)
			if !ok {
				return "", false
			}
			v = s
		}
		args = append(args, k, v)
	}
	var s string
	if n, ok := x.Args["Count"].(int); ok && x.Plural() {
		s = N(x.Key, n, args...)
	} else {
		s = T(x.Key, args...)
	}
	// The layer gives a key it does not have as itself.
	return s, s != x.Key
}
