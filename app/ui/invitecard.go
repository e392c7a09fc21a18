package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// This file holds one row of a conversation: a message bubble, or, for a
// message that is a group invite, a card with a Join button instead of the
// invite's unreadable text.

// inviteCardWidth is the widest an invite card gets.
const inviteCardWidth = 400

// chatRow is one item of the message list.
type chatRow struct {
	widget.BaseWidget
	cp     *chatPane
	msg    model.Message
	invite bool // the row shows a card

	bubble *widgets.MessageBubble
	// noteLine shows a note (someone joined or left a group) as a
	// centred line instead of a bubble.
	noteLine *widget.Label
	title    *widget.Label
	note     *widget.Label
	when     *widget.Label
	join     *widget.Button
	card     fyne.CanvasObject
	// file shows a file message (files.go).
	file *widgets.FileCard
}

func newChatRow(cp *chatPane) *chatRow {
	r := &chatRow{cp: cp}
	r.bubble = widgets.NewMessageBubble(widgets.Message{})
	r.bubble.Times = cp.mv.u.times
	r.bubble.OnReply = func(m widgets.Message) { cp.setReply(m.ID) }
	r.bubble.OnCopy = func(text string) { cp.mv.u.copyWithFeedback(text, r.bubble) }
	r.bubble.OnDelete = func(m widgets.Message) { cp.confirmDeleteMessage(m.ID) }
	r.noteLine = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	r.noteLine.Wrapping = fyne.TextWrapWord
	r.noteLine.Hide()
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.note = widget.NewLabel("")
	r.note.Truncation = fyne.TextTruncateEllipsis
	r.note.Importance = widget.LowImportance
	r.note.SizeName = theme.SizeNameCaptionText
	r.when = widget.NewLabel("")
	r.when.Importance = widget.LowImportance
	r.when.SizeName = theme.SizeNameCaptionText
	r.join = widget.NewButtonWithIcon(i18n.T("invitecard.join_group"), theme.LoginIcon(), func() {
		if r.invite {
			cp.joinGroup(r.msg.Body)
		}
	})
	r.join.Importance = widget.HighImportance
	icon := widget.NewIcon(theme.AccountIcon())
	r.card = card(container.NewVBox(
		container.NewBorder(nil, nil, icon, nil, r.title),
		r.note,
		container.NewBorder(nil, nil, nil, r.when, container.NewHBox(r.join)),
	))
	r.card.Hide()
	r.file = newFileCard(cp)
	r.file.Hide()
	r.ExtendBaseWidget(r)
	return r
}

// set shows m.
func (r *chatRow) set(m model.Message) {
	r.msg = m
	r.invite = m.Kind == model.KindGroupInvite
	if m.Kind == model.KindNote {
		r.card.Hide()
		r.bubble.Hide()
		r.noteLine.SetText(r.cp.mv.u.state.NoteText(m) + " · " + r.cp.mv.u.times.Stamp(m.Received))
		r.noteLine.Show()
		r.Refresh()
		return
	}
	r.noteLine.Hide()
	if m.Kind == model.KindFile {
		r.card.Hide()
		r.bubble.Hide()
		r.file.SetFile(r.cp.fileInfo(m))
		r.file.Show()
		r.Refresh()
		return
	}
	r.file.Hide()
	if !r.invite {
		r.card.Hide()
		r.bubble.Show()
		// Reacting is offered where writing is (not in a group left, nor
		// to a blocked contact).
		r.bubble.OnReact, r.bubble.OnEdit, r.bubble.OnDeleteForEveryone = nil, nil, nil
		if r.cp.canWrite() {
			r.bubble.OnReact = func(m widgets.Message, emoji string) { r.cp.react(m.ID, emoji) }
			r.bubble.OnEdit = func(m widgets.Message) { r.cp.setEdit(m.ID) }
			r.bubble.OnDeleteForEveryone = func(m widgets.Message) { r.cp.confirmDeleteForEveryone(m.ID) }
		}
		r.bubble.SetMessage(r.cp.bubble(m))
		return
	}
	st := r.cp.mv.u.state
	in, _ := st.Invite(m.Body)
	name := i18n.T("common.quoted", "Text", in.Name)
	who := r.cp.authorOf(m)
	// A group whose name is unknown has sentences of its own ("invited
	// you to a group"): the phrase takes another article or case.
	switch {
	case m.Outgoing && r.cp.isGroup() && in.OK:
		r.title.SetText(i18n.T("invitecard.you_shared_the_invite", "Name", name))
	case m.Outgoing && r.cp.isGroup():
		r.title.SetText(i18n.T("invitecard.you_shared_an_invite"))
	case m.Outgoing && in.OK:
		r.title.SetText(i18n.T("invitecard.you_invited_to", "Title", r.cp.cv.Title, "Name", name))
	case m.Outgoing:
		r.title.SetText(i18n.T("invitecard.you_invited_to_a_group", "Title", r.cp.cv.Title))
	case in.OK:
		r.title.SetText(i18n.T("invitecard.invited_you_to", "Who", who, "Name", name))
	default:
		r.title.SetText(i18n.T("invitecard.invited_you_to_a_group", "Who", who))
	}
	member := st.IsMember(in)
	switch {
	case m.Outgoing:
		r.note.SetText(i18n.T("invitecard.whoever_has_this_invite"))
		r.join.SetText(i18n.T("invitecard.open_group"))
	case member:
		r.note.SetText(i18n.T("invitecard.you_are_a_member"))
		r.join.SetText(i18n.T("invitecard.open_group"))
	default:
		r.note.SetText(i18n.T("invitecard.join_only_if_you", "Who", who))
		r.join.SetText(i18n.T("invitecard.join_group"))
	}
	if m.Outgoing && !member {
		r.join.Hide()
	} else {
		r.join.Show()
	}
	r.when.SetText(r.cp.mv.u.times.Stamp(m.Received))
	r.bubble.Hide()
	r.card.Show()
	r.Refresh()
}

// TappedSecondary opens, on an invitation card, a menu with "Delete for
// me" (a bubble has its own menu): an invite sent to the wrong person can
// be deleted, and is never sent if it was still waiting.
func (r *chatRow) TappedSecondary(ev *fyne.PointEvent) {
	if !r.invite && r.msg.Kind != model.KindFile {
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(r)
	if c == nil {
		return
	}
	id := r.msg.ID.String()
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", fyne.NewMenuItemWithIcon(i18n.T("common.delete_for_me"), theme.DeleteIcon(),
		func() { r.cp.confirmDeleteMessage(id) })), c, ev.AbsolutePosition)
}

// heightForWidth is the row's height when it is w wide.
func (r *chatRow) heightForWidth(w float32) float32 {
	if r.msg.Kind == model.KindNote {
		r.noteLine.Resize(fyne.NewSize(max(w-4*theme.Padding(), 1), r.noteLine.MinSize().Height))
		return r.noteLine.MinSize().Height + theme.Padding()
	}
	if r.msg.Kind == model.KindFile {
		return r.file.HeightForWidth(fileCardWidth(w)) + 2*theme.Padding()
	}
	if !r.invite {
		return r.bubble.HeightForWidth(w)
	}
	return r.card.MinSize().Height + 2*theme.Padding()
}

// fileCardWidth is the width of a file card in a row w wide.
func fileCardWidth(w float32) float32 {
	return max(min(w-4*theme.Padding(), widgets.FileCardWidth), 1)
}

func (r *chatRow) CreateRenderer() fyne.WidgetRenderer {
	return &chatRowRenderer{r: r}
}

type chatRowRenderer struct{ r *chatRow }

func (rr *chatRowRenderer) Destroy() {}
func (rr *chatRowRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{rr.r.bubble, rr.r.card, rr.r.noteLine, rr.r.file}
}
func (rr *chatRowRenderer) MinSize() fyne.Size {
	if rr.r.msg.Kind == model.KindNote {
		return rr.r.noteLine.MinSize().AddWidthHeight(0, theme.Padding())
	}
	if rr.r.msg.Kind == model.KindFile {
		return rr.r.file.MinSize().AddWidthHeight(0, 2*theme.Padding())
	}
	if !rr.r.invite {
		return rr.r.bubble.MinSize()
	}
	return rr.r.card.MinSize().AddWidthHeight(0, 2*theme.Padding())
}
func (rr *chatRowRenderer) Layout(s fyne.Size) {
	r := rr.r
	p := theme.Padding()
	r.noteLine.Resize(fyne.NewSize(max(s.Width-4*p, 1), max(s.Height-p, 1)))
	r.noteLine.Move(fyne.NewPos(2*p, p/2))
	r.bubble.Resize(s)
	r.bubble.Move(fyne.NewPos(0, 0))
	w := min(s.Width-4*p, inviteCardWidth)
	h := r.card.MinSize().Height
	x := 2 * p
	if r.msg.Outgoing {
		x = s.Width - 2*p - w
	}
	r.card.Resize(fyne.NewSize(w, h))
	r.card.Move(fyne.NewPos(x, p))
	fw := fileCardWidth(s.Width)
	fx := 2 * p
	if r.msg.Outgoing {
		fx = s.Width - 2*p - fw
	}
	r.file.Resize(fyne.NewSize(fw, max(s.Height-2*p, 1)))
	r.file.Move(fyne.NewPos(fx, p))
}
func (rr *chatRowRenderer) Refresh() {
	rr.Layout(rr.r.Size())
	rr.r.bubble.Refresh()
	rr.r.card.Refresh()
	rr.r.noteLine.Refresh()
	rr.r.file.Refresh()
}

// joinGroup joins the group of an invite received in this conversation
// (or opens it when already a member).
func (cp *chatPane) joinGroup(text string) {
	u, mv := cp.mv.u, cp.mv
	run(u, func(_ context.Context, e Engine) (model.Conversation, error) {
		res, err := e.AcceptInvite(text)
		if err != nil {
			return model.Conversation{}, err
		}
		return e.Conversation(res.Group.Conversation())
	}, func(cv model.Conversation, err error) {
		if err != nil {
			u.showError(i18n.T("invitecard.could_not_join_the"), err)
			return
		}
		mv.showConversation(cv)
	})
}
