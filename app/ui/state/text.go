package state

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
