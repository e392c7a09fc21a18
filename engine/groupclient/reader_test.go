package groupclient

import (
	"context"
	"crypto/rand"
	"net"
	"testing"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/protocol"
)

// TestReaderDropsGrownBuffers (second review, item 4): a server sends,
// among a catch-up's Blob and Blobs records, an unknown record and a
// malformed one of 200 KiB each. The buffers they grew to be read are
// dropped, not kept: every buffer the reader hands out with a record,
// and every one it holds free at the end, is at most recordBufSize, so
// a subscription's reader stays within its 12 × 64 KiB.
func TestReaderDropsGrownBuffers(t *testing.T) {
	ctx := context.Background()
	srvID, err := identity.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cliID, err := identity.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cc, sc := net.Pipe()
	srvc := make(chan *handshake.Session, 1)
	go func() {
		s, err := handshake.Server(ctx, sc, srvID, nil)
		if err != nil {
			t.Error(err)
			sc.Close()
		}
		srvc <- s
	}()
	cli, err := handshake.Client(ctx, cc, cliID, srvID.Address(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	srv := <-srvc
	if srv == nil {
		return
	}

	blobs := func(seq uint64) *protocol.Blobs {
		r := &protocol.Blobs{}
		for i := range protocol.MaxBlobs {
			r.Blobs = append(r.Blobs, protocol.BlobRef{Seq: seq + uint64(i), Blob: make([]byte, protocol.BlobSize)})
		}
		return r
	}
	big := make([]byte, 200<<10)
	sent := []protocol.Record{
		&protocol.Unknown{RecordType: 0xee, Version: 1, Body: big},
		blobs(1),
		&protocol.Unknown{RecordType: protocol.TypeBlobs, Version: 1, Body: big}, // malformed: 0 blobs
		&protocol.Blob{Seq: 100},
		blobs(101),
		&protocol.Unknown{RecordType: 0xee, Version: 1, Body: big},
		&protocol.Blob{Seq: 200},
		blobs(201),
	}
	sendErr := make(chan error, 1)
	go func() {
		defer srv.Close()
		for _, r := range sent {
			if err := srv.Send(r); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- nil
	}()

	recs := make(chan inbound, maxBlobs+maxRecordBufs)
	free := freeList{bufs: make(chan []byte, maxRecordBufs), blobs: make(chan *protocol.Blob, maxBlobs)}
	readErr := make(chan error, 1)
	quit := make(chan struct{})
	done := make(chan struct{})
	q := &queued{ready: make(chan struct{}, 1)}
	go func() { defer close(done); readRecords(cli, recs, q, free, readErr, quit) }()
	var got int
	check := func(r inbound) {
		switch rec := r.r.(type) {
		case *protocol.Blob:
			got++
		case *protocol.Blobs:
			got += len(rec.Blobs)
		}
		if cap(r.buf) > recordBufSize {
			t.Errorf("a %T came in a buffer of %d bytes, over %d", r.r, cap(r.buf), recordBufSize)
		}
		free.put(r)
	}
	for ended := false; !ended; {
		select {
		case r := <-recs:
			check(r)
		case <-readErr:
			ended = true
		}
	}
	for len(recs) > 0 {
		check(<-recs)
	}
	close(quit)
	<-done
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	if want := 2 + 3*protocol.MaxBlobs; got != want {
		t.Fatalf("%d blobs read, want %d", got, want)
	}
	for len(free.bufs) > 0 {
		if b := <-free.bufs; cap(b) > recordBufSize {
			t.Errorf("the reader keeps a buffer of %d bytes, over %d", cap(b), recordBufSize)
		}
	}
}
