package groupserver

import "sync/atomic"

// Stats are the server's counters since Start. They are counts only:
// nothing in them identifies a client or a connection.
type Stats struct {
	Connections        uint64 // connections accepted and handshaken
	ConnectionsRefused uint64 // closed at accept: too many connections
	ConnectionsIdle    uint64 // closed for not earning their slot (grace over, or evicted for a newcomer)
	HandshakeFailures  uint64
	OpenConnections    int64
	Subscriptions      int64  // open now
	SlowSubscribers    uint64 // disconnected for falling behind
	TokenBatches       uint64 // batches issued
	TokensIssued       uint64
	TokenRefusals      uint64 // Refused answers to challenge and token requests
	Posts              uint64 // blobs stored
	PostsRefused       uint64 // PostResult other than ok
	BlobsDropped       uint64 // by the cap or retention
	Head               uint64 // highest sequence number
	Oldest             uint64 // lowest sequence number kept
}

type counters struct {
	conns, connsRefused, connsIdle, hsFail, slow atomic.Uint64
	batches, issued, tokRefused, posts, refused  atomic.Uint64
	dropped                                      atomic.Uint64
	open, subs                                   atomic.Int64
}
