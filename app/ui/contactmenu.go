package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
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
		widgets.NewOnionAddress(c.Address),
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
	addr := model.ConversationID(c.Address)
	items := []*fyne.MenuItem{
		fyne.NewMenuItemWithIcon("Disappearing messages…", theme.HistoryIcon(), cp.showDisappear),
		fyne.NewMenuItemWithIcon("Rename…", theme.DocumentCreateIcon(), cp.showRename),
		fyne.NewMenuItemWithIcon("Compare safety code…", theme.VisibilityIcon(), cp.showSafetyCode),
		cp.archiveItem(),
	}
	if c.State == model.ContactBlocked {
		items = append(items, fyne.NewMenuItemWithIcon("Unblock", theme.ConfirmIcon(), func() {
			mv.act(func(e Engine) error { _, err := e.UnblockContact(addr); return err })
		}))
	} else {
		items = append(items, fyne.NewMenuItemWithIcon("Block…", theme.CancelIcon(), cp.confirmBlock))
	}
	items = append(items, fyne.NewMenuItemSeparator(),
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
		para("They will not be able to reach you, and they are not told. You can unblock them later."))
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
