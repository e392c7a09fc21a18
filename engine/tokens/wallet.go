package tokens

import (
	"encoding/binary"
	"fmt"
	"sync"
)

// walletMagic starts an encoded Wallet; the byte after it is the version.
const walletMagic = "NKTW"

// walletVersion is the layout version of an encoded Wallet.
const walletVersion = 1

// MaxWallet is the largest number of tokens a Wallet holds.
const MaxWallet = 100_000

// Wallet holds a client's unspent tokens for one issuer key. Tokens are
// bearer values: persist the encoding only encrypted (the engine's store).
// A Wallet is safe for concurrent use.
type Wallet struct {
	key PublicKey
	mu  sync.Mutex
	// tokens are the unspent tokens, oldest first; guarded by mu.
	tokens []Token
}

// NewWallet returns an empty wallet for tokens of the issuer key.
func NewWallet(key PublicKey) *Wallet { return &Wallet{key: key} }

// Key returns the issuer key the wallet's tokens are for.
func (w *Wallet) Key() PublicKey { return w.key }

// Add appends tokens; beyond MaxWallet the oldest are dropped.
func (w *Wallet) Add(toks ...Token) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tokens = append(w.tokens, toks...)
	if over := len(w.tokens) - MaxWallet; over > 0 {
		w.tokens = append([]Token(nil), w.tokens[over:]...)
	}
}

// Take removes and returns the oldest token, or false if the wallet is
// empty. A token that was sent to the server must not be put back: the
// server may have spent it, and reusing it would link two posts.
func (w *Wallet) Take() (Token, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.tokens) == 0 {
		return Token{}, false
	}
	t := w.tokens[0]
	w.tokens[0] = Token{}
	w.tokens = w.tokens[1:]
	return t, true
}

// Len returns the number of unspent tokens.
func (w *Wallet) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.tokens)
}

// MarshalBinary encodes the wallet:
//
//	"NKTW" ‖ version u8 (1) ‖ issuer key [32] ‖ n u32 ‖ n × (input [32] ‖ output [64])
func (w *Wallet) MarshalBinary() ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := make([]byte, 0, len(walletMagic)+1+32+4+len(w.tokens)*(InputSize+OutputSize))
	b = append(b, walletMagic...)
	b = append(b, walletVersion)
	b = append(b, w.key[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(w.tokens)))
	for _, t := range w.tokens {
		b = append(b, t.Input[:]...)
		b = append(b, t.Output[:]...)
	}
	return b, nil
}

// ParseWallet decodes a wallet written by MarshalBinary. Errors wrap
// ErrMalformed.
func ParseWallet(b []byte) (*Wallet, error) {
	const head = len(walletMagic) + 1 + 32 + 4
	if len(b) < head || string(b[:len(walletMagic)]) != walletMagic {
		return nil, fmt.Errorf("%w: not a token wallet", ErrMalformed)
	}
	if v := b[len(walletMagic)]; v != walletVersion {
		return nil, fmt.Errorf("%w: wallet version %d", ErrMalformed, v)
	}
	key, err := ParsePublicKey(b[len(walletMagic)+1 : len(walletMagic)+33])
	if err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(b[head-4:])
	const size = InputSize + OutputSize
	if n > MaxWallet || uint64(len(b)-head) != uint64(n)*size {
		return nil, fmt.Errorf("%w: wallet of %d tokens has %d bytes of tokens", ErrMalformed, n, len(b)-head)
	}
	w := &Wallet{key: key, tokens: make([]Token, n)}
	for i, rest := 0, b[head:]; i < int(n); i, rest = i+1, rest[size:] {
		copy(w.tokens[i].Input[:], rest)
		copy(w.tokens[i].Output[:], rest[InputSize:])
	}
	return w, nil
}
