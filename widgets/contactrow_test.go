package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

const (
	addrAlice = "5gyzvxzbhpgnnqffzk2fxxgfqyuk6xuxeqbeapdnxj2w6yd27ztmalqd.onion"
	addrBob   = "w3bdtqcnxrpmyhhbp6sy5x7e2omf2ox6qk4z6lr2mfo7yaezwn4sxeyd"
	addrCarol = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"
	addrDan   = "juhanurmihxlp77nkq76byazcldy2hlmovfu2epvl5ankdibsot4csyd.onion"
)

func contactRows() []ContactSummary {
	return []ContactSummary{
		{Address: addrAlice, Name: "Alice Moreau", Preview: "The documents are in the usual place.\nCall me.",
			LastActivity: testNow.Add(-2 * time.Hour), Presence: PresenceOnline, Unread: 3},
		{Address: addrBob, Name: "Bob", Preview: "See you tomorrow",
			LastActivity: testNow.Add(-26 * time.Hour), Presence: PresenceConnecting},
		{Address: addrCarol, Name: "Carol from the newsroom with a very long display name indeed",
			Preview:      "This is a long preview that cannot possibly fit into a single line of the contact list",
			LastActivity: time.Date(2025, 1, 3, 9, 0, 0, 0, time.UTC), Presence: PresenceOffline, Unread: 120},
		{Address: addrDan, Preview: "", Request: true, LastActivity: testNow.Add(-5 * time.Minute)},
	}
}

func newContactList(cs []ContactSummary) (*fyne.Container, []*ContactRow) {
	box := container.NewVBox()
	var rows []*ContactRow
	for i, c := range cs {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		r := NewContactRow(c)
		r.Times = testTimes
		rows = append(rows, r)
		box.Add(r)
	}
	return box, rows
}

func TestContactRow_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			box, _ := newContactList(contactRows())
			w := showIn(t, box, fyne.NewSize(380, box.MinSize().Height+8))
			test.AssertRendersToMarkup(t, "contactrow_"+v.name+".xml", w.Canvas())
			test.AssertRendersToImage(t, "contactrow_"+v.name+".png", w.Canvas())
		})
	}
}
