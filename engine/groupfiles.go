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
	// fetches holds each running fetch.
	fetches map[fileRef]*fetchRun
	// notes holds the stop of each holder note waiting for its time.
	notes map[fileRef]func() bool
	// left holds the groups left or removed from since unlock: nothing
	// of theirs is served, fetched or announced any more, unless the
	// profile joins the group again (joined).
	left map[model.ConversationID]bool
	// forgetting holds, for each group being forgotten (leave), a
	// channel closed once it is: a join waits for it.
	forgetting map[model.ConversationID]chan struct{}
	// membership counts, for each group, the times the profile left it
	// (leave) and joined it again (joining) since unlock: a file service
	// that started under an earlier count was published with the key of
	// a membership that ended, and never runs under the new one (serve).
	membership map[model.ConversationID]uint64
	// gen counts the times serving what the profile fetched was turned
	// off: a file service that started under an earlier count asks again
	// whether its group is to be served before it runs (serve).
	gen uint64
	// noteMu is held while a holder note is posted and while serving is
	// turned off, so that no note goes out once it is off.
	noteMu sync.Mutex
	// beforePost, when set (tests), runs in postHolder after its first
	// check, before the note is posted.
	beforePost func()
}

// fetchRun is a running fetch: wake tells it that a new source arrived,
// cancel ends it.
type fetchRun struct {
	wake   chan struct{}
	cancel context.CancelFunc
}

type fileRef struct {
	conv model.ConversationID
	id   model.MessageID
}

func newGroupFiles(op *openProfile) *groupFiles {
	ctx, cancel := context.WithCancel(context.Background())
	return &groupFiles{op: op, ctx: ctx, cancel: cancel, services: map[model.ConversationID]*transfer.FileService{},
		starting: map[model.ConversationID]bool{}, fetches: map[fileRef]*fetchRun{},
		notes: map[fileRef]func() bool{}, left: map[model.ConversationID]bool{},
		forgetting: map[model.ConversationID]chan struct{}{}, membership: map[model.ConversationID]uint64{}}
}

// start forgets the files of groups left under a version that kept
// them (transfer.SweepGroups), publishes the file services of the groups
// in which the profile holds files to serve and resumes the fetches of
// accepted files.
func (g *groupFiles) start() error {
	gen := g.generation()
	member := g.members()
	// A failure here keeps nothing of a group left from running (below,
	// only the groups the profile is in are served or fetched): it is
	// said, and tried again at the next unlock.
	if n, err := g.op.files.SweepGroups(func(c model.ConversationID) bool { return member[c] }); err != nil {
		g.op.e.cfg.Logger.Warn("forgetting the files of groups left failed", "err", err)
	} else if n > 0 {
		g.op.e.cfg.Logger.Info("forgot the files of groups left before", "groups", n)
	}
	serving, fetching, err := g.op.files.GroupFiles()
	if err != nil {
		return err
	}
	for conv := range serving {
		if member[conv] { // not for a group left, or removed from
			g.serve(conv, gen)
		}
	}
	for conv, ids := range fetching {
		if !member[conv] {
			continue
		}
		for _, id := range ids {
			g.fetch(conv, id)
		}
	}
	return g.armDue(member)
}

// members returns the conversations of the groups the profile is in.
func (g *groupFiles) members() map[model.ConversationID]bool {
	member := map[model.ConversationID]bool{}
	for _, gi := range g.op.groups.Groups() {
		member[gi.Conversation] = true
	}
	return member
}

// serveFetched reports whether the profile serves the group files it
// fetched and posts their holder notes (Settings.ServeFetchedFiles).
func (g *groupFiles) serveFetched() bool { return g.op.settings().ServeFetchedFiles }

// servingChanged follows Settings.ServeFetchedFiles as it changes.
// Turned off, the holder notes waiting are disarmed (not settled: they
// are due again if it is turned on) and the file services of groups in
// which the profile shared nothing stop; a service that stays answers
// no fetch of a file the profile fetched (transfer.Config.ServeFetched).
// Turned on, the services of groups in which it holds a file start and
// the notes due are armed, each after a delay drawn afresh.
func (g *groupFiles) servingChanged(on bool) {
	if on {
		gen := g.generation()
		serving, _, err := g.op.files.GroupFiles()
		if err == nil {
			member := g.members()
			for conv := range serving {
				if member[conv] {
					g.serve(conv, gen)
				}
			}
			err = g.armDue(member)
		}
		if err != nil {
			g.op.e.cfg.Logger.Warn("serving the group files fetched failed", "err", err)
		}
		return
	}
	// A note being posted goes out before this returns; none after
	// (postHolder checks the setting again under noteMu).
	g.noteMu.Lock()
	defer g.noteMu.Unlock()
	g.mu.Lock()
	// A service still starting asks again before it runs (serve).
	g.gen++
	for ref, stop := range g.notes {
		stop()
		delete(g.notes, ref)
	}
	g.mu.Unlock()
	// On an error every service stops: serving too little until the
	// next unlock is better than serving what the person turned off.
	serving, _, err := g.op.files.GroupFiles()
	if err != nil {
		g.op.e.cfg.Logger.Warn("reading group files failed", "err", err)
	}
	var stop []*transfer.FileService
	g.mu.Lock()
	for conv, s := range g.services {
		if !serving[conv] {
			stop = append(stop, s)
			delete(g.services, conv)
		}
	}
	g.mu.Unlock()
	for _, s := range stop {
		s.Close()
	}
}

// close stops every fetch and file service and waits for them.
func (g *groupFiles) close() {
	g.mu.Lock()
	g.closed = true
	for ref, stop := range g.notes {
		stop()
		delete(g.notes, ref)
	}
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

// generation returns how many times serving what the profile fetched
// was turned off. A caller that decides from the setting that a group is
// to be served reads it first and passes it to serve.
func (g *groupFiles) generation() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gen
}

// serve publishes the profile's file service in the group conv, unless
// it runs already. gen is generation() read before the caller decided
// that conv is to be served: if serving what the profile fetched was
// turned off since (servingChanged), the service, once published, runs
// only if the group is still to be served (the profile shared a file
// there, transfer.GroupFiles); else it is closed. If the profile left
// the group while the service was being published, it is closed; if it
// joined the group again meanwhile, the service, published under the
// key of the membership that ended, is closed too, and one under the
// new membership's key starts in its place if the group is to be
// served, so that nothing links the two memberships.
func (g *groupFiles) serve(conv model.ConversationID, gen uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.left[conv] || g.services[conv] != nil || g.starting[conv] {
		return
	}
	g.starting[conv] = true
	member := g.membership[conv]
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		s, err := g.startService(conv)
		for {
			g.mu.Lock()
			stale := g.membership[conv] != member
			switch {
			case g.closed || g.left[conv]:
				delete(g.starting, conv)
				g.mu.Unlock()
				if s != nil {
					s.Close()
				}
				return
			case !stale && err != nil:
				delete(g.starting, conv)
				g.mu.Unlock()
				if g.ctx.Err() == nil {
					g.op.e.cfg.Logger.Warn("a group's file service could not start", "err", err)
				}
				return
			case !stale && g.gen == gen:
				delete(g.starting, conv)
				g.services[conv] = s
				g.mu.Unlock()
				return
			}
			// Turned off meanwhile, or the group was left and joined
			// again: ask again, outside the lock, then check that
			// nothing changed once more.
			gen, member = g.gen, g.membership[conv]
			g.mu.Unlock()
			if stale && s != nil {
				s.Close()
			}
			serving, _, rerr := g.op.files.GroupFiles()
			if rerr != nil || !serving[conv] {
				g.mu.Lock()
				delete(g.starting, conv)
				g.mu.Unlock()
				if !stale && s != nil {
					s.Close()
				}
				return
			}
			if stale {
				// The new membership's service, with its own key.
				s, err = g.startService(conv)
			}
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

// leave ends the profile's part in the files of a group it left or was
// removed from (model.GroupLeft, before it is told): its file service
// stops at once, its fetches and holder notes there end, and, on a
// goroutine of its own (the group client's lock is held), the service's
// key and the files' sources are deleted and the files not yet here end
// as unavailable (transfer.ForgetGroup). left[conv] keeps the group from
// being served or fetched again.
func (g *groupFiles) leave(conv model.ConversationID) {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.left[conv] = true
	g.membership[conv]++
	for ref, run := range g.fetches {
		if ref.conv == conv {
			run.cancel()
		}
	}
	for ref, stop := range g.notes {
		if ref.conv == conv {
			stop()
			delete(g.notes, ref)
		}
	}
	s := g.services[conv]
	delete(g.services, conv)
	done := make(chan struct{})
	prev := g.forgetting[conv]
	g.forgetting[conv] = done
	g.wg.Add(1)
	g.mu.Unlock()
	if s != nil {
		// Safe under the group client's lock: serving takes only the
		// files' store, never the client.
		s.Close()
	}
	go func() {
		defer g.wg.Done()
		defer close(done)
		if prev != nil {
			<-prev
		}
		if err := g.op.files.ForgetGroup(conv); err != nil {
			g.op.e.cfg.Logger.Warn("forgetting a group's file sources failed", "err", err)
		}
		g.mu.Lock()
		if g.forgetting[conv] == done {
			delete(g.forgetting, conv)
		}
		g.mu.Unlock()
	}()
}

// joining readies the files of a group the profile is about to join
// and is not in: what is left of its file state there from a time it
// was in it before is forgotten (transfer.ForgetGroup, after a
// forgetting under way since a leave has ended: an unlock's sweep may
// have failed, or the group was left in this session), so the new
// membership's file service gets a new key, unlinked to the old one;
// and the group is no longer held as left, so its files are served,
// fetched and announced again once joined. It runs before the join, as
// nothing of a group the profile is not in is to be kept, and nothing
// the join brings (offers and holder notes of its catch-up) is lost.
func (g *groupFiles) joining(conv model.ConversationID) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	wait := g.forgetting[conv]
	g.mu.Unlock()
	if wait != nil {
		select {
		case <-wait:
		case <-g.ctx.Done():
			return g.ctx.Err()
		}
	}
	if err := g.op.files.ForgetGroup(conv); err != nil {
		return err
	}
	g.mu.Lock()
	delete(g.left, conv)
	g.membership[conv]++
	g.mu.Unlock()
	return nil
}

// fetch fetches an accepted group file from its sources, or wakes its
// running fetch (a new source). Once the file is here and verified, the
// profile serves it and tells the group with a holder note.
func (g *groupFiles) fetch(conv model.ConversationID, id model.MessageID) {
	ref := fileRef{conv, id}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.left[conv] {
		return
	}
	if run, running := g.fetches[ref]; running {
		select {
		case run.wake <- struct{}{}:
		default:
		}
		return
	}
	ctx, cancel := context.WithCancel(g.ctx)
	run := &fetchRun{wake: make(chan struct{}, 1), cancel: cancel}
	wake := run.wake
	g.fetches[ref] = run
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() {
			g.mu.Lock()
			delete(g.fetches, ref)
			g.mu.Unlock()
			cancel()
		}()
		dial := transfer.Dialer(g.op.e.transport(), nil)
		for {
			err := g.op.files.FetchGroupLive(ctx, conv, id, wake, dial)
			switch {
			case err == nil:
				g.fetched(conv, id)
				return
			case !errors.Is(err, transfer.ErrNoSource):
				quiet := errors.Is(err, transfer.ErrNotGroupFile) || errors.Is(err, transfer.ErrMismatch) || errors.Is(err, transfer.ErrNoSpace)
				if ctx.Err() == nil && !quiet {
					g.op.e.cfg.Logger.Warn("fetching a group file failed", "err", err)
				}
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-time.After(groupFetchRetry):
			}
		}
	}()
}

// fetched serves a file that arrived whole and schedules its holder
// note, unless the profile does not serve what it fetched: then the
// note stays due, armed if serving is turned on.
func (g *groupFiles) fetched(conv model.ConversationID, id model.MessageID) {
	gen := g.generation()
	if !g.serveFetched() {
		return
	}
	g.serve(conv, gen)
	g.scheduleHolder(conv, id)
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
func (g *groupFiles) offered(conv model.ConversationID, id model.MessageID, author identity.Address, sent time.Time, f *group.FileOffer) {
	announce, err := g.op.files.OfferedGroup(conv, transfer.GroupOffer{ID: id, Sent: sent, Size: f.Size,
		ChunkSize: f.ChunkSize, SHA256: f.SHA256, Root: f.Root, MediaType: f.MediaType, Name: f.Name, Key: f.Key})
	if err == nil {
		_, err = g.op.files.AddSource(conv, id, author, f.Source)
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
	g.serve(conv, g.generation()) // a file it shared: served whatever the setting
	if ft, err := op.files.File(conv, msg.ID); err == nil {
		op.onPeerEvent(model.FileChanged{File: ft})
	}
	return msg, nil
}
