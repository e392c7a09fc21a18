package profile

import (
	"bufio"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// The payload of an export file is a STREAM (Hoang, Reyhanitabar, Rogaway,
// Vizár 2015) like age's: the plaintext is cut into 64 KiB chunks, each sealed
// with ChaCha20-Poly1305 under a key used for this file only, with the nonce
//
//	11-byte big-endian chunk counter | 1 byte: 1 for the last chunk, else 0
//
// Every chunk but the last is full; the last holds 1..64 KiB (0 only if the
// whole payload is empty). Reordered, dropped, altered or appended chunks
// fail to authenticate, and a file cut at a chunk boundary lacks its last
// chunk: truncation is always detected.

const (
	chunkSize    = 64 << 10
	encChunkSize = chunkSize + chacha20poly1305.Overhead
)

var (
	// ErrExportCorrupt is returned by Import when an export file is damaged
	// or was altered.
	ErrExportCorrupt = errors.New("export file is damaged or was altered")
	// ErrExportTruncated is returned by Import when an export file ends
	// before its last chunk: it was cut short.
	ErrExportTruncated = errors.New("export file is truncated")
)

func streamNonce(counter uint64, last bool) []byte {
	var n [chacha20poly1305.NonceSize]byte
	binary.BigEndian.PutUint64(n[3:11], counter)
	if last {
		n[11] = 1
	}
	return n[:]
}

// maxChunks keeps the counter within 64 bits of the 88 the nonce has.
const maxChunks = 1<<63 - 1

// streamWriter seals what is written to it; Close writes the last chunk.
type streamWriter struct {
	aead    cipher.AEAD
	w       io.Writer
	buf     []byte
	out     []byte
	counter uint64
	err     error
}

func newStreamWriter(key []byte, w io.Writer) (*streamWriter, error) {
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, err
	}
	return &streamWriter{aead: aead, w: w, buf: make([]byte, 0, chunkSize), out: make([]byte, 0, encChunkSize)}, nil
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n := len(p)
	for len(p) > 0 {
		// A full buffer is sealed only once more data shows it is not last.
		if len(s.buf) == chunkSize {
			if s.err = s.flush(false); s.err != nil {
				return 0, s.err
			}
		}
		k := copy(s.buf[len(s.buf):chunkSize], p)
		s.buf = s.buf[:len(s.buf)+k]
		p = p[k:]
	}
	return n, nil
}

func (s *streamWriter) flush(last bool) error {
	if s.counter == maxChunks {
		return errors.New("export stream too long")
	}
	s.out = s.aead.Seal(s.out[:0], streamNonce(s.counter, last), s.buf, nil)
	s.counter++
	s.buf = s.buf[:0]
	_, err := s.w.Write(s.out)
	return err
}

// Close writes the last chunk. It does not close the underlying writer.
func (s *streamWriter) Close() error {
	if s.err != nil {
		return s.err
	}
	s.err = s.flush(true)
	clear(s.buf[:cap(s.buf)])
	if s.err == nil {
		s.err = errors.New("export stream closed")
		return nil
	}
	return s.err
}

// streamReader opens a stream; it returns io.EOF only after the last chunk
// authenticated and nothing follows it.
type streamReader struct {
	aead    cipher.AEAD
	r       *bufio.Reader
	enc     []byte
	dec     []byte
	plain   []byte // decrypted, not yet read
	counter uint64
	last    bool
	err     error
}

func newStreamReader(key []byte, r io.Reader) (*streamReader, error) {
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, err
	}
	return &streamReader{aead: aead, r: bufio.NewReaderSize(r, encChunkSize+1), enc: make([]byte, encChunkSize), dec: make([]byte, 0, chunkSize)}, nil
}

func (s *streamReader) Read(p []byte) (int, error) {
	for len(s.plain) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		if s.last {
			s.err = io.EOF
			return 0, io.EOF
		}
		if err := s.next(); err != nil {
			s.err = err
			return 0, err
		}
	}
	n := copy(p, s.plain)
	s.plain = s.plain[n:]
	return n, nil
}

// next reads and opens one chunk.
func (s *streamReader) next() error {
	n, err := io.ReadFull(s.r, s.enc)
	last := false
	switch {
	case err == io.EOF:
		return ErrExportTruncated
	case err == io.ErrUnexpectedEOF:
		last = true
	case err != nil:
		return fmt.Errorf("read export file: %w", err)
	default:
		if _, err := s.r.Peek(1); err == io.EOF {
			last = true
		} else if err != nil {
			return fmt.Errorf("read export file: %w", err)
		}
	}
	enc := s.enc[:n]
	plain, err := s.aead.Open(s.dec[:0], streamNonce(s.counter, last), enc, nil)
	if err != nil {
		// Find out whether the chunk is genuine but in the wrong place.
		if _, err2 := s.aead.Open(nil, streamNonce(s.counter, !last), enc, nil); err2 == nil && last {
			return ErrExportTruncated
		}
		return ErrExportCorrupt
	}
	if last && len(plain) == 0 && s.counter > 0 {
		return ErrExportCorrupt
	}
	if s.counter == maxChunks {
		return ErrExportCorrupt
	}
	s.counter++
	s.plain, s.last = plain, last
	return nil
}
