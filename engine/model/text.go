package model

import (
	"fmt"
	"strings"
	"sync"
	"text/template"
)

// Text is a sentence the engine writes for people, named by a stable key a
// frontend translates it by: what the automatic connection tries and why
// (TorStatus.Notes), why Tor stopped (TorStatus.ErrText, HintText), why a
// group server or member is warned about (GroupWarning.Why). The engine
// keeps its English (English); a frontend that speaks other languages
// looks Key up in its catalogs, whose English for each key of Texts is the
// engine's, word for word (a test of the app checks it), and shows a
// generic sentence of its own for a key it does not know.
type Text struct {
	// Key names the sentence in the app's catalogs ("connect.trying",
	// "groupwarning.gap"; an "explain.*" key for one of engine.Explain's
	// sentences).
	Key string
	// Args fill the sentence's placeholders ({{.Way}}, {{.Count}}). A value
	// that is a Text is a phrase set into the sentence, translated in turn.
	// "Count", in a sentence with plural forms (Texts' One), chooses the
	// form.
	Args map[string]any
	// English is the sentence in English, as the engine shows and logs it.
	English string
}

// String is the English.
func (t Text) String() string { return t.English }

// Plural reports whether Key has plural forms (chosen by Args["Count"]).
func (t Text) Plural() bool { return Texts[t.Key].One != "" }

// EnglishText is the English of one key of Texts: Other, and One, the
// singular, for a sentence with plural forms.
type EnglishText struct{ One, Other string }

// Texts are the English of every key Say knows, as Go templates: what the
// app's catalogs must hold under those keys.
var Texts = map[string]EnglishText{
	// The automatic connection (TorStatus.Notes) and its ways.
	"connect.way_direct":          {Other: "a direct connection"},
	"connect.way_snowflake":       {Other: "the built-in snowflake bridges"},
	"connect.way_obfs4":           {Other: "the built-in obfs4 bridges"},
	"connect.way_custom":          {Other: "your own bridges"},
	"connect.trying":              {Other: "Trying {{.Way}}…"},
	"connect.skipped":             {Other: "Skipped {{.Way}}."},
	"connect.could_not_start":     {Other: "Tor could not start with {{.Way}}."},
	"connect.tor_stopped":         {Other: "Tor stopped while trying {{.Way}}."},
	"connect.stalled_seconds":     {One: "No progress with {{.Way}} for {{.Count}} second, which is what a blocked connection looks like.", Other: "No progress with {{.Way}} for {{.Count}} seconds, which is what a blocked connection looks like."},
	"connect.stalled_minutes":     {One: "No progress with {{.Way}} for {{.Count}} minute, which is what a blocked connection looks like.", Other: "No progress with {{.Way}} for {{.Count}} minutes, which is what a blocked connection looks like."},
	"connect.not_ready_seconds":   {One: "Not connected with {{.Way}} after {{.Count}} second.", Other: "Not connected with {{.Way}} after {{.Count}} seconds."},
	"connect.not_ready_minutes":   {One: "Not connected with {{.Way}} after {{.Count}} minute.", Other: "Not connected with {{.Way}} after {{.Count}} minutes."},
	"connect.connected":           {Other: "Connected through {{.Way}}."},
	"connect.none_worked":         {Other: "None of the ways worked; trying them again with more patience. You can also choose a way in Settings → Network."},
	"connect.tor_could_not_start": {Other: "Tor could not start, or stopped."},
	"connect.cannot_use":          {Other: "Nook did not connect: {{.Way}} cannot be used."},
	"connect.choose_another":      {Other: "Choose another way in Settings → Network."},

	// Group warnings (GroupWarning.Why).
	"groupwarning.rotation_failed":        {Other: "The group's key could not be renewed."},
	"groupwarning.rotation_early":         {Other: "A renewal of the group key came before the one it follows. It is ignored."},
	"groupwarning.rotation_other_owner":   {Other: "A renewal of the group key names someone else as the group's owner. It is ignored."},
	"groupwarning.rotation_not_admin":     {Other: "Someone who is not an admin of the group tried to renew its key. It is ignored."},
	"groupwarning.rotation_admins":        {Other: "An admin who is not the group's owner tried to change its admins. It is ignored."},
	"groupwarning.rotation_remove_admin":  {Other: "An admin who is not the group's owner tried to remove another admin. It is ignored."},
	"groupwarning.servers_not_admin":      {Other: "Someone who is not an admin of the group tried to change the servers it lives on. It is ignored."},
	"groupwarning.servers_first":          {Other: "A change of the group's servers left out the server it was created on. It is ignored."},
	"groupwarning.history_lost":           {Other: "The group server says it lost messages it had stored. Nook reads again at most the last {{.Count}}."},
	"groupwarning.not_caught_up":          {Other: "This group server has not delivered all of the group's messages for a long time. Messages missing from the group are reported without waiting for it any longer."},
	"groupwarning.expired":                {One: "The group server no longer keeps {{.Count}} message posted while you were away.", Other: "The group server no longer keeps up to {{.Count}} messages posted while you were away."},
	"groupwarning.proof_of_work":          {Other: "The group server asks for far more work per posting token than servers need ({{.Bits}} bits, Nook does at most {{.Max}}). Messages to its groups wait until it asks less."},
	"groupwarning.server_bundles_differ":  {Other: "The server of this group gave another of your groups a different address or posting key: its operator can tell those groups' messages apart. Compare the server fingerprint with the other members."},
	"groupwarning.stream":                 {Other: "The group server sent a blob out of order."},
	"groupwarning.collision":              {Other: "A message from a contact, in another conversation, carried the identifier of this group message. Both are shown."},
	"groupwarning.gap_start":              {One: "{{.Count}} earlier message of a member is missing (dropped by the server or no longer kept).", Other: "{{.Count}} earlier messages of a member are missing (dropped by the server or no longer kept)."},
	"groupwarning.gap_one":                {Other: "The server dropped a message of a member (number {{.First}})."},
	"groupwarning.gap":                    {One: "The server dropped {{.Count}} message of a member (numbers {{.First}} to {{.Last}}).", Other: "The server dropped {{.Count}} messages of a member (numbers {{.First}} to {{.Last}})."},
	"groupwarning.unknown_ref_start":      {Other: "A member refers to a message this computer never received (perhaps from before you joined)."},
	"groupwarning.unknown_ref":            {Other: "A member refers to a message the server did not deliver before it."},
	"groupwarning.late":                   {Other: "The server delivered a message after one that replied to it (reordered)."},
	"groupwarning.reordered":              {Other: "The server delivered a member's message {{.Seq}} after message {{.Last}} (reordered)."},
	"groupwarning.equivocation":           {Other: "A member signed two different messages numbered {{.Seq}}."},
	"groupwarning.injected_signature":     {Other: "A message with a forged signature was rejected."},
	"groupwarning.injected_malformed":     {Other: "A malformed message was rejected."},
	"groupwarning.injected":               {Other: "A modified or forged message was rejected."},
	"groupwarning.unreadable":             {Other: "A message in a newer format could not be read. Update Nook."},
	"groupwarning.something_is_not_right": {Other: "Something about this group is not as it should be."},
}

var (
	textsMu   sync.Mutex
	templates = map[string]*template.Template{}
)

// Say returns the Text of key, its English written from Texts with args
// (pairs of a name and a value, as Say("connect.trying", "Way", way)). A
// key Say does not know panics: it is a programming error, and the tests
// of every caller reach it.
func Say(key string, args ...any) Text {
	e, ok := Texts[key]
	if !ok {
		panic("model.Say: unknown key " + key)
	}
	t := Text{Key: key}
	if len(args) > 0 {
		t.Args = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			t.Args[name] = args[i+1]
		}
	}
	src := e.Other
	if n, ok := t.Args["Count"].(int); ok && n == 1 && e.One != "" {
		src = e.One
	}
	t.English = render(key+"/"+src, src, t.Args)
	return t
}

// render fills a template of Texts; a Text among the data is its English.
func render(id, src string, args map[string]any) string {
	textsMu.Lock()
	tm, ok := templates[id]
	if !ok {
		tm = template.Must(template.New(id).Option("missingkey=error").Parse(src))
		templates[id] = tm
	}
	textsMu.Unlock()
	data := make(map[string]any, len(args))
	for k, v := range args {
		if t, ok := v.(Text); ok {
			v = t.English
		}
		data[k] = v
	}
	var b strings.Builder
	if err := tm.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("model.Say %s: %v", id, err))
	}
	return b.String()
}

// JoinTexts is the English of texts, one sentence after another.
func JoinTexts(texts []Text) string {
	parts := make([]string, 0, len(texts))
	for _, t := range texts {
		if t.English != "" {
			parts = append(parts, t.English)
		}
	}
	return strings.Join(parts, " ")
}
