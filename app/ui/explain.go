package ui

import (
	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
)

// explain is engine.Explain in the language in use: the engine's
// sentences looked up by their keys (engine.Explained) in the catalogs.
func explain(err error) (msg, hint string) {
	x := engine.Explained(err)
	if err == nil {
		return "", ""
	}
	args := make([]any, 0, 2*len(x.Args))
	for k, v := range x.Args {
		args = append(args, k, v)
	}
	msg = i18n.T(x.Key, args...)
	if x.HintKey != "" {
		hint = i18n.T(x.HintKey, args...)
	} else {
		hint = x.Hint // a hint the engine has no key for: its English
	}
	return msg, hint
}

// unexplained reports whether engine.Explain does not know err.
func unexplained(err error) bool { return engine.Explained(err).Key == engine.UnexplainedKey }
