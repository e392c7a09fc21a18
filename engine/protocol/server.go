package protocol

import (
	"errors"
	"fmt"
)

// Server protocol records (docs/groups.md, "Server protocol"): what a group
// client and the untrusted group server say to each other inside a session.
// The server stores opaque blobs of exactly BlobSize bytes and hands out
// anonymous posting tokens; these records carry both without interpreting
// tokens or blobs (package engine/tokens owns the token encoding).
const (
	TypeTokenChallengeRequest Type = 0x20
	TypeTokenChallenge        Type = 0x21
	TypeTokenRequest          Type = 0x22
	TypeTokenResponse         Type = 0x23
	TypeRefused               Type = 0x24
	TypePost                  Type = 0x25
	TypePostResult            Type = 0x26
	TypeSubscribe             Type = 0x27
	TypeBlob                  Type = 0x28
	TypeCaughtUp              Type = 0x29
	// TypeBlobs carries several stored blobs of a catch-up in one record,
	// to a client that sent AcceptBlobs (docs/groups.md, "Subscribing and
	// catching up").
	TypeBlobs Type = 0x2a
	// TypeAcceptBlobs tells the server, before Subscribe, that the client
	// reads Blobs records. A server that does not know it ignores it (an
	// unknown type) and sends Blob records, which the client reads too.
	TypeAcceptBlobs Type = 0x2b
)

// Limits of the server protocol records.
const (
	// BlobSize is the size of every blob a group server stores and sends:
	// a sealed, padded group message.
	BlobSize = 4096
	// MaxPostBlob bounds the blob field of a Post. The field is length
	// prefixed so that a wrong-size blob is answered (PostWrongSize) rather
	// than dropped as malformed; only BlobSize is ever accepted.
	MaxPostBlob = 2 * BlobSize
	// MaxPostToken bounds the opaque token field of a Post.
	MaxPostToken = 256
	// MaxTokenBatch is the largest number of blinded elements in one
	// TokenRequest (and evaluated elements in one TokenResponse).
	MaxTokenBatch = 100
	// MaxPoWBits is the largest proof-of-work difficulty a TokenChallenge
	// may ask for (2^32 hashes is already hours of work).
	MaxPoWBits = 32
	// ElementSize is the size of an encoded ristretto255 element.
	ElementSize = 32
	// ProofSize is the size of a batched DLEQ proof (two scalars c ‖ s).
	ProofSize = 64
	// ChallengeSize is the size of a proof-of-work challenge.
	ChallengeSize = 32
	// MaxBlobs is the most blobs one Blobs record carries: 16 × (8 +
	// 4096) bytes and its count, about 64 KiB (9 frames). The decoder
	// checks the count, and the bytes it needs, before it allocates.
	MaxBlobs = 16
)

func init() {
	// The server records live in this file; record.go's table is shared
	// with the peer records. Merging here keeps one Decode.
	for t, rt := range serverRecordTypes {
		if have, dup := recordTypes[t]; dup {
			panic("protocol: record type " + t.String() + " is both " + have.name + " and " + rt.name)
		}
		recordTypes[t] = rt
	}
}

var serverRecordTypes = map[Type]recordType{
	TypeTokenChallengeRequest: {"TokenChallengeRequest", v1(func(*decoder) Record { return &TokenChallengeRequest{} })},
	TypeTokenChallenge:        {"TokenChallenge", v1(decodeTokenChallenge)},
	TypeTokenRequest:          {"TokenRequest", v1(decodeTokenRequest)},
	TypeTokenResponse:         {"TokenResponse", v1(decodeTokenResponse)},
	TypeRefused:               {"Refused", v1(decodeRefused)},
	TypePost:                  {"Post", v1(decodePost)},
	TypePostResult:            {"PostResult", v1(decodePostResult)},
	TypeSubscribe:             {"Subscribe", v1(func(d *decoder) Record { return &Subscribe{Cursor: d.u64("cursor")} })},
	TypeBlob:                  {"Blob", v1(decodeBlob)},
	TypeCaughtUp:              {"CaughtUp", v1(decodeCaughtUp)},
	TypeBlobs:                 {"Blobs", v1(decodeBlobs)},
	TypeAcceptBlobs:           {"AcceptBlobs", v1(func(*decoder) Record { return &AcceptBlobs{} })},
}

// TokenChallengeRequest asks the server for a proof-of-work challenge
// before a TokenRequest. It has no body.
type TokenChallengeRequest struct{}

// Type returns TypeTokenChallengeRequest.
func (*TokenChallengeRequest) Type() Type { return TypeTokenChallengeRequest }

func (*TokenChallengeRequest) encode(*encoder) {}

// TokenChallenge answers a TokenChallengeRequest: the client must find a
// nonce such that SHA-256(Challenge ‖ blinded elements ‖ nonce u64) has at
// least Bits leading zero bits (engine/tokens.SolvePoW).
type TokenChallenge struct {
	Challenge [ChallengeSize]byte
	Bits      uint8 // 0 to MaxPoWBits
}

// Type returns TypeTokenChallenge.
func (*TokenChallenge) Type() Type { return TypeTokenChallenge }

func (r *TokenChallenge) encode(e *encoder) {
	if r.Bits > MaxPoWBits {
		e.fail("bits", fmt.Errorf("%d over the limit of %d", r.Bits, MaxPoWBits))
	}
	e.raw(r.Challenge[:])
	e.u8(r.Bits)
}

func decodeTokenChallenge(d *decoder) Record {
	r := &TokenChallenge{}
	copy(r.Challenge[:], d.take("challenge", ChallengeSize))
	r.Bits = d.u8("bits")
	if d.err == nil && r.Bits > MaxPoWBits {
		d.fail("bits", "%d over the limit of %d", r.Bits, MaxPoWBits)
	}
	return r
}

// TokenRequest asks for a batch of tokens: the blinded elements of a VOPRF
// evaluation request and the proof-of-work nonce for the challenge.
type TokenRequest struct {
	// Challenge is the challenge of the TokenChallenge this request answers.
	Challenge [ChallengeSize]byte
	// Blinded holds 1 to MaxTokenBatch blinded ristretto255 elements.
	Blinded [][ElementSize]byte
	// Nonce is the proof of work.
	Nonce uint64
}

// Type returns TypeTokenRequest.
func (*TokenRequest) Type() Type { return TypeTokenRequest }

func (r *TokenRequest) encode(e *encoder) {
	e.raw(r.Challenge[:])
	e.elements("blinded", r.Blinded)
	e.u64(r.Nonce)
}

func decodeTokenRequest(d *decoder) Record {
	r := &TokenRequest{}
	copy(r.Challenge[:], d.take("challenge", ChallengeSize))
	r.Blinded = d.elements("blinded")
	r.Nonce = d.u64("nonce")
	return r
}

// TokenResponse answers a TokenRequest: the evaluated elements, in the
// order of the request, and one batched DLEQ proof that they were all made
// with the key in the server's bundle.
type TokenResponse struct {
	Evaluated [][ElementSize]byte // as many as were requested
	Proof     [ProofSize]byte
}

// Type returns TypeTokenResponse.
func (*TokenResponse) Type() Type { return TypeTokenResponse }

func (r *TokenResponse) encode(e *encoder) {
	e.elements("evaluated", r.Evaluated)
	e.raw(r.Proof[:])
}

func decodeTokenResponse(d *decoder) Record {
	r := &TokenResponse{Evaluated: d.elements("evaluated")}
	copy(r.Proof[:], d.take("proof", ProofSize))
	return r
}

// Reason says why the server refused a request.
type Reason uint8

// Reasons of Refused. Receivers treat an unknown reason like
// ReasonUnavailable.
const (
	ReasonBadRequest     Reason = 0x01 // not allowed now or malformed for the server
	ReasonBadPoW         Reason = 0x02 // the proof of work does not meet the difficulty
	ReasonNoChallenge    Reason = 0x03 // no such challenge on this connection, or already used
	ReasonBatchTooLarge  Reason = 0x04 // more elements than the server issues at once
	ReasonRateLimited    Reason = 0x05 // too many requests on this connection
	ReasonTooManySubs    Reason = 0x06 // the server holds its maximum of subscriptions
	ReasonUnavailable    Reason = 0x07 // a server-side failure; try again later
	ReasonAlreadySubbed  Reason = 0x08 // this connection already has a subscription
	ReasonInvalidElement Reason = 0x09 // a blinded element is not a valid group element
)

var reasonNames = map[Reason]string{
	ReasonBadRequest:     "bad request",
	ReasonBadPoW:         "bad proof of work",
	ReasonNoChallenge:    "no such challenge",
	ReasonBatchTooLarge:  "batch too large",
	ReasonRateLimited:    "rate limited",
	ReasonTooManySubs:    "too many subscriptions",
	ReasonUnavailable:    "unavailable",
	ReasonAlreadySubbed:  "already subscribed",
	ReasonInvalidElement: "invalid element",
}

func (r Reason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return fmt.Sprintf("Reason(%#02x)", uint8(r))
}

// Refused answers a TokenChallengeRequest, TokenRequest or Subscribe that
// the server will not serve. (A refused Post gets a PostResult.)
type Refused struct {
	Request Type // the type of the refused request
	Reason  Reason
}

// Type returns TypeRefused.
func (*Refused) Type() Type { return TypeRefused }

func (r *Refused) encode(e *encoder) {
	e.u8(uint8(r.Request))
	e.u8(uint8(r.Reason))
}

func decodeRefused(d *decoder) Record {
	return &Refused{Request: Type(d.u8("request")), Reason: Reason(d.u8("reason"))}
}

// Post asks the server to store one blob, paid for with one token.
type Post struct {
	// Blob must be exactly BlobSize bytes for the server to accept it; the
	// record carries up to MaxPostBlob so that a wrong size gets an answer.
	Blob []byte
	// Token is an encoded engine/tokens.Token (at most MaxPostToken bytes);
	// empty means no token.
	Token []byte
}

// Type returns TypePost.
func (*Post) Type() Type { return TypePost }

func (r *Post) encode(e *encoder) {
	e.lenBytes("blob", 2, MaxPostBlob, r.Blob)
	e.lenBytes("token", 2, MaxPostToken, r.Token)
}

func decodePost(d *decoder) Record {
	r := &Post{Blob: d.lenBytes("blob", 2, MaxPostBlob)}
	r.Token = d.lenBytes("token", 2, MaxPostToken)
	return r
}

// PostStatus is the outcome of a Post.
type PostStatus uint8

// Outcomes of a Post. Receivers treat an unknown status like
// PostUnavailable.
const (
	PostOK           PostStatus = 0x00 // stored under PostResult.Seq
	PostNoToken      PostStatus = 0x01 // the Post carried no token
	PostTokenSpent   PostStatus = 0x02 // the token was redeemed before
	PostTokenInvalid PostStatus = 0x03 // the token does not verify under the server's key
	PostWrongSize    PostStatus = 0x04 // the blob is not BlobSize bytes
	PostRateLimited  PostStatus = 0x05 // too many requests on this connection
	PostStorageFull  PostStatus = 0x06 // the server cannot store more now
	PostUnavailable  PostStatus = 0x07 // a server-side failure; try again later
)

var postStatusNames = map[PostStatus]string{
	PostOK:           "ok",
	PostNoToken:      "no token",
	PostTokenSpent:   "token spent",
	PostTokenInvalid: "token invalid",
	PostWrongSize:    "blob wrong size",
	PostRateLimited:  "rate limited",
	PostStorageFull:  "storage full",
	PostUnavailable:  "unavailable",
}

func (s PostStatus) String() string {
	if n, ok := postStatusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("PostStatus(%#02x)", uint8(s))
}

// PostResult answers a Post. Results come in the order of the Posts on
// the connection.
type PostResult struct {
	Status PostStatus
	// Seq is the sequence number the server assigned (PostOK), zero
	// otherwise.
	Seq uint64
}

// Type returns TypePostResult.
func (*PostResult) Type() Type { return TypePostResult }

func (r *PostResult) encode(e *encoder) {
	if (r.Status == PostOK) != (r.Seq != 0) {
		e.fail("seq", errors.New("must be non-zero exactly when the status is ok"))
	}
	e.u8(uint8(r.Status))
	e.u64(r.Seq)
}

func decodePostResult(d *decoder) Record {
	r := &PostResult{Status: PostStatus(d.u8("status")), Seq: d.u64("seq")}
	if d.err == nil && (r.Status == PostOK) != (r.Seq != 0) {
		d.fail("seq", "must be non-zero exactly when the status is ok")
	}
	return r
}

// Subscribe asks for every stored blob after Cursor, then CaughtUp, then
// every blob posted later, until the connection closes.
type Subscribe struct {
	// Cursor is the last sequence number the client has; 0 for none.
	Cursor uint64
}

// Type returns TypeSubscribe.
func (*Subscribe) Type() Type { return TypeSubscribe }

func (r *Subscribe) encode(e *encoder) { e.u64(r.Cursor) }

// Blob is one stored blob, sent to a subscriber.
type Blob struct {
	Seq  uint64 // non-zero
	Blob [BlobSize]byte
}

// Type returns TypeBlob.
func (*Blob) Type() Type { return TypeBlob }

func (r *Blob) encode(e *encoder) {
	if r.Seq == 0 {
		e.fail("seq", errors.New("must be non-zero"))
	}
	e.u64(r.Seq)
	e.raw(r.Blob[:])
}

func decodeBlob(d *decoder) Record {
	r := &Blob{}
	decodeBlobInto(d, r)
	return r
}

func decodeBlobInto(d *decoder, r *Blob) {
	r.Seq = d.u64("seq")
	if d.err == nil && r.Seq == 0 {
		d.fail("seq", "must be non-zero")
	}
	copy(r.Blob[:], d.take("blob", BlobSize))
}

// DecodeInto is Decode, except that a Blob record is decoded into blob,
// which it returns: a reader of many blobs (a catch-up) that is done with
// each before the next allocates none. Any other record is decoded as
// Decode does; so is a Blob when blob is nil. After an error, blob holds
// nothing meaningful.
func DecodeInto(b []byte, blob *Blob) (Record, error) {
	if blob == nil || len(b) < 2 || Type(b[0]) != TypeBlob || b[1] != LayoutV1 {
		return Decode(b)
	}
	d := &decoder{b: b[2:], typ: TypeBlob}
	decodeBlobInto(d, blob)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return blob, nil
}

// BlobRef is one blob of a Blobs record: its sequence number and its
// BlobSize bytes, which a decoded record shares with the bytes it was
// decoded from.
type BlobRef struct {
	Seq  uint64 // non-zero
	Blob []byte // BlobSize bytes
}

// Blobs is several stored blobs, in the order of their sequence numbers,
// sent to a subscriber catching up that sent AcceptBlobs: as the Blob
// records of each, but in one record fragmented across full frames (about
// half a frame a blob instead of one). Decode makes each BlobRef.Blob a
// slice of its input, not a copy: the input must outlive the record.
type Blobs struct {
	Blobs []BlobRef // 1 to MaxBlobs
}

// Type returns TypeBlobs.
func (*Blobs) Type() Type { return TypeBlobs }

func (r *Blobs) encode(e *encoder) {
	if len(r.Blobs) == 0 || len(r.Blobs) > MaxBlobs {
		e.fail("blobs", fmt.Errorf("%d blobs, must be 1 to %d", len(r.Blobs), MaxBlobs))
		return
	}
	e.u8(uint8(len(r.Blobs)))
	for _, b := range r.Blobs {
		if b.Seq == 0 {
			e.fail("seq", errors.New("must be non-zero"))
		}
		if len(b.Blob) != BlobSize {
			e.fail("blob", fmt.Errorf("%d bytes, must be %d", len(b.Blob), BlobSize))
			return
		}
		e.u64(b.Seq)
		e.raw(b.Blob)
	}
}

// blobRefSize is the encoded size of one BlobRef.
const blobRefSize = 8 + BlobSize

func decodeBlobs(d *decoder) Record {
	n := int(d.u8("blobs"))
	if d.err == nil && (n == 0 || n > MaxBlobs) {
		d.fail("blobs", "%d blobs, must be 1 to %d", n, MaxBlobs)
	}
	if d.err == nil && len(d.b) != n*blobRefSize {
		d.fail("blobs", "%d blobs need %d bytes, %d left", n, n*blobRefSize, len(d.b))
	}
	if d.err != nil {
		return nil
	}
	r := &Blobs{Blobs: make([]BlobRef, n)}
	for i := range r.Blobs {
		r.Blobs[i].Seq = d.u64("seq")
		if d.err == nil && r.Blobs[i].Seq == 0 {
			d.fail("seq", "must be non-zero")
		}
		r.Blobs[i].Blob = d.take("blob", BlobSize)
	}
	return r
}

// AcceptBlobs, sent before Subscribe, says that the client reads Blobs
// records: the server may then send a catch-up's stored blobs several to
// a record. It has no body. A server that predates it ignores it, as any
// unknown record, and sends Blob records.
type AcceptBlobs struct{}

// Type returns TypeAcceptBlobs.
func (*AcceptBlobs) Type() Type { return TypeAcceptBlobs }

func (*AcceptBlobs) encode(*encoder) {}

// CaughtUp ends the replay of stored blobs of a subscription; live blobs
// follow.
type CaughtUp struct {
	// Head is the highest sequence number assigned so far (0: none yet).
	Head uint64
	// Oldest is the lowest sequence number still stored, or Head+1 when
	// nothing is stored. A client whose cursor+1 < Oldest missed blobs
	// (Oldest − cursor − 1 at most) that the server dropped.
	Oldest uint64
}

// Type returns TypeCaughtUp.
func (*CaughtUp) Type() Type { return TypeCaughtUp }

func (r *CaughtUp) encode(e *encoder) {
	if r.Oldest == 0 || r.Oldest-1 > r.Head {
		e.fail("oldest", errors.New("must be 1 to head+1"))
	}
	e.u64(r.Head)
	e.u64(r.Oldest)
}

func decodeCaughtUp(d *decoder) Record {
	r := &CaughtUp{Head: d.u64("head"), Oldest: d.u64("oldest")}
	if d.err == nil && (r.Oldest == 0 || r.Oldest-1 > r.Head) {
		d.fail("oldest", "must be 1 to head+1")
	}
	return r
}

// elements appends a u8 count (1 to MaxTokenBatch) and the elements.
func (e *encoder) elements(field string, v [][ElementSize]byte) {
	if len(v) == 0 || len(v) > MaxTokenBatch {
		e.fail(field, fmt.Errorf("%d elements, must be 1 to %d", len(v), MaxTokenBatch))
		return
	}
	e.u8(uint8(len(v)))
	for i := range v {
		e.raw(v[i][:])
	}
}

// elements reads a u8 count (1 to MaxTokenBatch) and the elements.
func (d *decoder) elements(field string) [][ElementSize]byte {
	n := int(d.u8(field))
	if d.err == nil && (n == 0 || n > MaxTokenBatch) {
		d.fail(field, "%d elements, must be 1 to %d", n, MaxTokenBatch)
	}
	if d.err == nil && len(d.b) < n*ElementSize {
		d.fail(field, "%d elements need %d bytes, %d left", n, n*ElementSize, len(d.b))
	}
	if d.err != nil {
		return nil
	}
	v := make([][ElementSize]byte, n)
	for i := range v {
		copy(v[i][:], d.take(field, ElementSize))
	}
	return v
}
