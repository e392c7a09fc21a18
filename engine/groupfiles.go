package engine

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/files/transfer"
	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// groupFetchRetry is how long a fetch that found no source online waits
// before it tries its sources again (a holder note that arrives wakes it
// at once).
const groupFetchRetry = 2 * time.Minute

// groupFiles runs the profile's side of files in groups (docs/files.md
// §8): a file service per group in which it holds a file to serve, and a
// fetch per accepted file not yet here.
type groupFiles struct {
	op     *openProfile
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	services map[model.ConversationID]*transfer.FileService
	starting map[model.ConversationID]bool
	// fetches holds each running fetch's wake-up: a new source arrived.
	fetches map[fileRef]chan struct{}
}

type fileRef struct {
	conv model.ConversationID
	id   model.MessageID
}

func newGroupFiles(op *openProfile) *groupFiles {
	ctx, cancel := context.WithCancel(context.Background())
	return &groupFiles{op: op, ctx: ctx, cancel: cancel, services: map[model.ConversationID]*transfer.FileService{},
		starting: map[model.ConversationID]bool{}, fetches: map[fileRef]chan struct{}{}}
}

// start publishes the file services of the groups in which the profile
// holds files and resumes the fetches of accepted files.
func (g *groupFiles) start() error {
	serving, fetching, err := g.op.files.GroupFiles()
	if err != nil {
		return err
	}
	member := map[model.ConversationID]bool{}
	for _, gi := range g.op.groups.Groups() {
		member[gi.Conversation] = true
	}
	for conv := range serving {
		if member[conv] { // not for a group left, or removed from
			g.serve(conv)
		}
	}
	for conv, ids := range fetching {
		for _, id := range ids {
			g.fetch(conv, id)
		}
	}
	return nil
}

// close stops every fetch and file service and waits for them.
func (g *groupFiles) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.cancel()
	g.wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	for conv, s := range g.services {
		s.Close()
		delete(g.services, conv)
	}
}

// serve publishes the profile's file service in the group conv, unless
// it runs already.
func (g *groupFiles) serve(conv model.ConversationID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.services[conv] != nil || g.starting[conv] {
		return
	}
	g.starting[conv] = true
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		s, err := g.startService(conv)
		g.mu.Lock()
		defer g.mu.Unlock()
		delete(g.starting, conv)
		switch {
		case err != nil:
			if g.ctx.Err() == nil {
				g.op.e.cfg.Logger.Warn("a group's file service could not start", "err", err)
			}
		case g.closed:
			s.Close()
		default:
			g.services[conv] = s
		}
	}()
}

func (g *groupFiles) startService(conv model.ConversationID) (*transfer.FileService, error) {
	id, err := g.op.files.ServiceIdentity(conv)
	if err != nil {
		return nil, err
	}
	return g.op.files.StartFileService(g.ctx, g.op.e.transport(), conv, id, nil)
}

// unserve stops the file service of a group the profile left.
func (g *groupFiles) unserve(conv model.ConversationID) {
	g.mu.Lock()
	s := g.services[conv]
	delete(g.services, conv)
	g.mu.Unlock()
	if s != nil {
		s.Close()
	}
}

// fetch fetches an accepted group file from its sources, or wakes its
// running fetch (a new source). Once the file is here and verified, the
// profile serves it and tells the group with a holder note.
func (g *groupFiles) fetch(conv model.ConversationID, id model.MessageID) {
	ref := fileRef{conv, id}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	if wake, running := g.fetches[ref]; running {
		select {
		case wake <- struct{}{}:
		default:
		}
		return
	}
	wake := make(chan struct{}, 1)
	g.fetches[ref] = wake
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() {
			g.mu.Lock()
			delete(g.fetches, ref)
			g.mu.Unlock()
		}()
		dial := transfer.Dialer(g.op.e.transport(), nil)
		for {
			sources, err := g.op.files.Sources(conv, id)
			if err == nil {
				err = g.op.files.FetchGroup(g.ctx, conv, id, sources, dial)
			}
			switch {
			case err == nil:
				g.fetched(conv, id)
				return
			case !errors.Is(err, transfer.ErrNoSource):
				quiet := errors.Is(err, transfer.ErrNotGroupFile) || errors.Is(err, transfer.ErrMismatch) || errors.Is(err, transfer.ErrNoSpace)
				if g.ctx.Err() == nil && !quiet {
					g.op.e.cfg.Logger.Warn("fetching a group file failed", "err", err)
				}
				return
			}
			select {
			case <-g.ctx.Done():
				return
			case <-wake:
			case <-time.After(groupFetchRetry):
			}
		}
	}()
}

// fetched serves a file that arrived whole and tells the group.
func (g *groupFiles) fetched(conv model.ConversationID, id model.MessageID) {
	gid, ok := group.ParseConversation(conv)
	if !ok {
		return
	}
	svc, err := g.op.files.ServiceIdentity(conv)
	if err != nil {
		g.op.e.cfg.Logger.Warn("a group's file service has no key", "err", err)
		return
	}
	g.serve(conv)
	if err := g.op.groups.PostHolder(gid, id, svc.Address()); err != nil && g.ctx.Err() == nil {
		g.op.e.cfg.Logger.Warn("telling a group that a file is here failed", "err", err)
	}
}

// wake fetches the accepted files of a group not yet here (a file was
// accepted).
func (g *groupFiles) wake(conv model.ConversationID) {
	_, fetching, err := g.op.files.GroupFiles()
	if err != nil {
		g.op.e.cfg.Logger.Warn("reading group files failed", "err", err)
		return
	}
	for _, id := range fetching[conv] {
		g.fetch(conv, id)
	}
}

// offered records a file another member announced (groupclient's
// FileOffered: under the group client's lock, so it does not call it).
func (g *groupFiles) offered(conv model.ConversationID, id model.MessageID, sent time.Time, f *group.FileOffer) {
	announce, err := g.op.files.OfferedGroup(conv, transfer.GroupOffer{ID: id, Sent: sent, Size: f.Size,
		ChunkSize: f.ChunkSize, SHA256: f.SHA256, Root: f.Root, MediaType: f.MediaType, Name: f.Name, Key: f.Key})
	if err == nil {
		_, err = g.op.files.AddSource(conv, id, f.Source)
	}
	if err != nil {
		g.op.e.cfg.Logger.Warn("recording a group file failed", "err", err)
		return
	}
	if announce != nil {
		announce()
	}
	if ft, err := g.op.files.File(conv, id); err == nil && ft.State == model.FileTransferring {
		g.fetch(conv, id) // accepted by itself: a small picture
	}
}

// holder records a member's holder note: one more source of a file.
func (g *groupFiles) holder(conv model.ConversationID, offer model.MessageID, source identity.Address) {
	added, err := g.op.files.AddSource(conv, offer, source)
	if err != nil {
		g.op.e.cfg.Logger.Warn("recording a group file's source failed", "err", err)
		return
	}
	ft, err := g.op.files.File(conv, offer)
	if !added || err != nil {
		return
	}
	// Reported again: one more member has it.
	g.op.onPeerEvent(model.FileChanged{File: ft})
	if ft.State == model.FileTransferring {
		g.fetch(conv, offer)
	}
}

// send shares a file in a group: it is copied into the profile with a
// new file key, announced (the announcement's ID names it from then on),
// and served from the profile's file service in the group.
func (g *groupFiles) send(gid group.ID, conv model.ConversationID, src io.Reader, size int64, name, mediaType string) (model.Message, error) {
	op := g.op
	tmp := model.NewMessageID()
	_, o, err := op.files.ImportGroup(conv, tmp, op.e.cfg.Now(), src, size, name, mediaType)
	if err != nil {
		return model.Message{}, err
	}
	svc, err := op.files.ServiceIdentity(conv)
	if err != nil {
		op.files.Forget(conv, tmp)
		return model.Message{}, err
	}
	msg, err := op.groups.PostFile(gid, &group.FileOffer{Size: o.Size, ChunkSize: o.ChunkSize, SHA256: o.SHA256,
		Root: o.Root, Key: o.Key, Source: svc.Address(), MediaType: o.MediaType, Name: o.Name})
	if err != nil {
		op.files.Forget(conv, tmp)
		return model.Message{}, err
	}
	if err := op.files.Rename(conv, tmp, msg.ID); err != nil {
		return model.Message{}, err
	}
	g.serve(conv)
	if ft, err := op.files.File(conv, msg.ID); err == nil {
		op.onPeerEvent(model.FileChanged{File: ft})
	}
	return msg, nil
}
