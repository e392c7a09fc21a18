package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
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
		rows = append(rows, muted(i18n.T("contactmenu.calls_themselves", "OwnName", own)))
	}
	rows = append(rows,
		widget.NewLabel(i18n.T("contactmenu.onion_address")),
		u.onionAddress(c.Address),
		para(verified),
	)
	if !c.Added.IsZero() {
		rows = append(rows, muted(i18n.T("contactmenu.added", "When", u.times.Long(c.Added))))
	}
	d := dialog.NewCustom(i18n.T("common.contact_details"), i18n.T("common.close"), container.NewVBox(rows...), u.win)
	d.Resize(fyne.NewSize(460, 0))
	u.showDialog(d)
}

// showMenu opens the conversation menu under the button.
func (cp *chatPane) showMenu(anchor fyne.CanvasObject) {
	c := cp.contact()
	mv := cp.mv
	items := []*fyne.MenuItem{
		cp.showFilesItem(),
		fyne.NewMenuItemWithIcon(i18n.T("contactmenu.disappearing_messages"), theme.HistoryIcon(), cp.showDisappear),
		fyne.NewMenuItemWithIcon(i18n.T("contactmenu.rename"), theme.DocumentCreateIcon(), cp.showRename),
		fyne.NewMenuItemWithIcon(i18n.T("contactmenu.compare_safety_code"), theme.VisibilityIcon(), cp.showSafetyCode),
		cp.archiveItem(),
	}
	if c.State == model.ContactBlocked {
		items = append(items, fyne.NewMenuItemWithIcon(i18n.T("common.unblock_more"), theme.ConfirmIcon(), cp.confirmUnblock))
	} else {
		items = append(items, fyne.NewMenuItemWithIcon(i18n.T("contactmenu.block"), theme.CancelIcon(), cp.confirmBlock))
	}
	items = append(items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItemWithIcon(i18n.T("common.clear_conversation_more"), theme.ContentClearIcon(), cp.confirmClear),
		fyne.NewMenuItemWithIcon(i18n.T("contactmenu.delete_contact"), theme.DeleteIcon(), cp.confirmDelete))
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
	u.confirm(i18n.T("contactmenu.rename_2", "Name", c.Name()), 400, i18n.T("common.save"), false, func() {
		name := strings.TrimSpace(e.Text)
		cp.mv.act(func(e Engine) error { _, err := e.RenameContact(model.ConversationID(c.Address), name); return err })
	}, widget.NewLabel(i18n.T("common.name")), e)
	u.win.Canvas().Focus(e)
}

func (cp *chatPane) confirmBlock() {
	u := cp.mv.u
	c := cp.contact()
	u.confirm(i18n.T("contactmenu.block_2", "Name", c.Name()), 420, i18n.T("common.block"), true, func() { cp.mv.blockContact(c.Address) },
		para(blockText()))
}

// blockText says what blocking does (docs/security.md, "Requests and
// blocking").
func blockText() string { return i18n.T("contactmenu.they_will_not_be") }

// confirmUnblock asks before unblocking: what they wrote meanwhile
// arrives.
func (cp *chatPane) confirmUnblock() {
	u := cp.mv.u
	c := cp.contact()
	addr := model.ConversationID(c.Address)
	u.confirm(i18n.T("contactmenu.unblock_2", "Name", c.Name()), 420, i18n.T("contactmenu.unblock_3"), false, func() {
		cp.mv.act(func(e Engine) error { _, err := e.UnblockContact(addr); return err })
	}, para(i18n.T("contactmenu.they_can_reach_you")))
}

// confirmClear asks before deleting every message of the conversation
// from this computer.
func (cp *chatPane) confirmClear() {
	u := cp.mv.u
	conv := cp.conv
	who := i18n.T("contactmenu.keeps_theirs", "Title", cp.cv.Title)
	if cp.isGroup() {
		who = i18n.T("contactmenu.the_other_members_keep")
	}
	u.confirm(i18n.T("contactmenu.clear_this_conversation"), 420, i18n.T("contactmenu.clear"), true, func() {
		cp.mv.act(func(e Engine) error { _, err := e.ClearConversation(conv); return err })
	}, para(i18n.T("contactmenu.every_message_here_is", "Who", who)))
}

// confirmDeleteMessage asks before deleting one message from this
// computer ("Delete for me").
func (cp *chatPane) confirmDeleteMessage(id string) {
	mid, m, ok := cp.lookupText(id)
	if !ok {
		return
	}
	u, conv := cp.mv.u, cp.conv
	others := i18n.T("contactmenu.keeps_their_copy", "Title", cp.cv.Title)
	if cp.isGroup() {
		others = i18n.T("contactmenu.the_other_members_keep_2")
	}
	text := i18n.T("contactmenu.this_message_is_deleted", "Others", others)
	switch {
	case m.Outgoing && m.Status == model.StatusQueued:
		text = i18n.T("contactmenu.this_message_was_not")
	case m.Outgoing && m.Status == model.StatusFailed:
		text = i18n.T("contactmenu.this_message_was_not_2")
	}
	u.confirm(i18n.T("contactmenu.delete_for_me"), 420, i18n.T("common.delete"), true, func() {
		cp.mv.act(func(e Engine) error { _, err := e.DeleteMessage(conv, mid); return err })
	}, para(text))
}

// confirmDeleteForEveryone asks before deleting a message of the
// person's for everyone, saying plainly what it cannot reach: the others'
// Nook replaces it with a note, but a modified app, a screenshot or
// someone who already read it may have kept it.
func (cp *chatPane) confirmDeleteForEveryone(id string) {
	mid, m, ok := cp.lookupText(id)
	if !ok || !editable(m, time.Now()) {
		return
	}
	u, conv := cp.mv.u, cp.conv
	u.confirm(i18n.T("contactmenu.delete_for_everyone"), 420, i18n.T("common.delete"), true, func() {
		run(u, func(_ context.Context, e Engine) (struct{}, error) {
			return struct{}{}, e.DeleteForEveryone(conv, mid)
		}, func(_ struct{}, err error) {
			if err != nil {
				u.showError(i18n.T("contactmenu.the_message_was_not_deleted"), err)
			}
		})
	}, para(i18n.T("contactmenu.delete_for_everyone_text")))
}

func (cp *chatPane) confirmDelete() {
	u := cp.mv.u
	c := cp.contact()
	also := widget.NewCheck(i18n.T("contactmenu.also_delete_the_conversation"), nil)
	u.confirm(i18n.T("contactmenu.delete_2", "Name", c.Name()), 420, i18n.T("common.delete"), true, func() {
		deleteHistory := also.Checked
		cp.mv.act(func(e Engine) error { return e.DeleteContact(model.ConversationID(c.Address), deleteHistory) })
	}, para(i18n.T("contactmenu.will_be_removed_from", "Name", c.Name())), also)
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
	label := i18n.T("contactmenu.archive_conversation")
	if archived {
		label = i18n.T("contactmenu.unarchive_conversation")
	}
	return fyne.NewMenuItemWithIcon(label, theme.FolderIcon(), func() {
		cp.mv.act(func(e Engine) error { _, err := e.Archive(id, !archived); return err })
	})
}
