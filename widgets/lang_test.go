package widgets

import "github.com/nookchat/nook/app/i18n"

// The widgets' tests read English whatever the machine's language.
func init() { i18n.SetLanguage(i18n.Source) }
