package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
)

// showInfo shows who the contact is: their onion address (the one thing
// that identifies them), and whether you met in person.
func (cp *chatPane) showInfo() {
	c := cp.contact()
	u := cp.mv.u
	verified := verificationText(c)
	rows := []fyne.CanvasObject{
		subheading(c.Name()),
	}
	if n := renamedNote(c); n != "" {
		rows = append(rows, muted(n))
	} else if own := model.CleanName(c.DisplayName); own != "" && own != c.Name() {
		rows = append(rows, muted("Calls themselves “"+own+"”."))
	}
	rows = append(rows,
		widget.NewLabel("Onion address"),
		u.onionAddress(c.Address),
		para(verified),
	)
	if !c.Added.IsZero() {
		rows = append(rows, muted("Added "+u.times.Long(c.Added)+"."))
	}
	d := dialog.NewCustom("Contact details", "Close", container.NewVBox(rows...), u.win)
	d.Resize(fyne.NewSize(460, 0))
	u.showDialog(d)
}

// showMenu opens the conversation menu under the button.
func (cp *chatPane) showMenu(anchor fyne.CanvasObject) {
	c := cp.contact()
	mv := cp.mv
	items := []*fyne.MenuItem{
		cp.showFilesItem(),
		fyne.NewMenuItemWithIcon("Disappearing messages…", theme.HistoryIcon(), cp.showDisappear),
		fyne.NewMenuItemWithIcon("Rename…", theme.DocumentCreateIcon(), cp.showRename),
		fyne.NewMenuItemWithIcon("Compare safety code…", theme.VisibilityIcon(), cp.showSafetyCode),
		cp.archiveItem(),
	}
	if c.State == model.ContactBlocked {
		items = append(items, fyne.NewMenuItemWithIcon("Unblock…", theme.ConfirmIcon(), cp.confirmUnblock))
	} else {
		items = append(items, fyne.NewMenuItemWithIcon("Block…", theme.CancelIcon(), cp.confirmBlock))
	}
	items = append(items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItemWithIcon("Clear conversation…", theme.ContentClearIcon(), cp.confirmClear),
		fyne.NewMenuItemWithIcon("Delete contact…", theme.DeleteIcon(), cp.confirmDelete))
	cnv := mv.u.win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).AddXY(0, anchor.Size().Height)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), cnv, pos)
}

func (cp *chatPane) showRename() {
	u := cp.mv.u
	c := cp.contact()
	e := newField()
	e.SetText(c.Nickname)
	e.SetPlaceHolder(model.CleanName(c.DisplayName))
	u.confirm("Rename "+c.Name(), 400, "Save", false, func() {
		name := strings.TrimSpace(e.Text)
		cp.mv.act(func(e Engine) error { _, err := e.RenameContact(model.ConversationID(c.Address), name); return err })
	}, widget.NewLabel("Name"), e)
	u.win.Canvas().Focus(e)
}

func (cp *chatPane) confirmBlock() {
	u := cp.mv.u
	c := cp.contact()
	u.confirm("Block "+c.Name()+"?", 420, "Block", true, func() { cp.mv.blockContact(c.Address) },
		para(blockText))
}

// blockText says what blocking does (docs/security.md, "Requests and
// blocking").
const blockText = "They will not be able to reach you, and they are not told. " +
	"Messages they write while blocked are not delivered: they wait on their computer, " +
	"and arrive all at once if you unblock them. Messages to them that were not sent yet are not sent. " +
	"You can unblock them later."

// confirmUnblock asks before unblocking: what they wrote meanwhile
// arrives.
func (cp *chatPane) confirmUnblock() {
	u := cp.mv.u
	c := cp.contact()
	addr := model.ConversationID(c.Address)
	u.confirm("Unblock "+c.Name()+"?", 420, "Unblock", false, func() {
		cp.mv.act(func(e Engine) error { _, err := e.UnblockContact(addr); return err })
	}, para("They can reach you again. Messages they wrote while blocked arrive now, all at once, "+
		"each with the time it was written."))
}

// confirmClear asks before deleting every message of the conversation
// from this computer.
func (cp *chatPane) confirmClear() {
	u := cp.mv.u
	conv := cp.conv
	who := cp.cv.Title + " keeps theirs"
	if cp.isGroup() {
		who = "The other members keep theirs"
	}
	u.confirm("Clear this conversation?", 420, "Clear", true, func() {
		cp.mv.act(func(e Engine) error { _, err := e.ClearConversation(conv); return err })
	}, para("Every message here is deleted from this computer; this cannot be undone. "+who+
		": nothing is deleted on their side, and they are not told. Messages not sent yet are not sent."))
}

// confirmDeleteMessage asks before deleting one message from this
// computer ("Delete for me").
func (cp *chatPane) confirmDeleteMessage(id string) {
	mid, m, ok := cp.lookupText(id)
	if !ok {
		return
	}
	u, conv := cp.mv.u, cp.conv
	others := cp.cv.Title + " keeps their copy"
	if cp.isGroup() {
		others = "The other members keep their copies"
	}
	text := "This message is deleted from this computer only. " + others + ", and they are not told."
	switch {
	case m.Outgoing && m.Status == model.StatusQueued:
		text = "This message was not sent yet: it is deleted from this computer and never sent."
	case m.Outgoing && m.Status == model.StatusFailed:
		text = "This message was not sent: it is deleted from this computer."
	}
	u.confirm("Delete for me?", 420, "Delete", true, func() {
		cp.mv.act(func(e Engine) error { _, err := e.DeleteMessage(conv, mid); return err })
	}, para(text))
}

func (cp *chatPane) confirmDelete() {
	u := cp.mv.u
	c := cp.contact()
	also := widget.NewCheck("Also delete the conversation", nil)
	u.confirm("Delete "+c.Name()+"?", 420, "Delete", true, func() {
		deleteHistory := also.Checked
		cp.mv.act(func(e Engine) error { return e.DeleteContact(model.ConversationID(c.Address), deleteHistory) })
	}, para(c.Name()+" will be removed from your contacts. To talk again, one of you has to send an invite."), also)
}

// contact is the contact of a conversation with one.
func (cp *chatPane) contact() model.Contact {
	if cp.cv.Contact == nil {
		return model.Contact{Address: string(cp.conv)}
	}
	return *cp.cv.Contact
}

// archiveItem is the menu item that archives the conversation, or
// unarchives it: the same for a contact and a group.
func (cp *chatPane) archiveItem() *fyne.MenuItem {
	id, archived := cp.conv, cp.cv.Archived
	label := "Archive conversation"
	if archived {
		label = "Unarchive conversation"
	}
	return fyne.NewMenuItemWithIcon(label, theme.FolderIcon(), func() {
		cp.mv.act(func(e Engine) error { _, err := e.Archive(id, !archived); return err })
	})
}
