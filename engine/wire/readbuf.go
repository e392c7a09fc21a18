package wire

import (
	"io"
	"sync/atomic"
)

// readBuffer is the size of a Conn's read buffer: one read system call
// takes up to eight frames that have arrived, rather than one (a
// catch-up's 100 000 frames cost as much in reads as in decryption when
// each took its own; docs/performance.md). Every frame is still opened
// and checked on its own.
const readBuffer = 8 * FrameSize

// MaxReadAhead is the largest read buffer SetReadAhead gives a Conn.
const MaxReadAhead = 64 * FrameSize

// frameReader reads its connection up to a buffer at a time and hands out
// the bytes a frame at a time, where the buffer holds them. The buffer is
// made at the first read and takes its new size at the first read after
// setSize (enlarged, if need be, to hold the bytes not yet handed out and
// a frame more).
type frameReader struct {
	src    io.Reader
	buf    []byte
	r, w   int          // buf[r:w] is read and not yet handed out
	err    error        // the error of a read that brought bytes too
	size   atomic.Int64 // the buffer's size from the next read on
	resize atomic.Bool  // size changed since the last read
}

func newFrameReader(src io.Reader) *frameReader {
	f := &frameReader{src: src}
	f.size.Store(readBuffer)
	return f
}

// setSize makes the buffer n bytes (at least a frame) from the next read
// on.
func (f *frameReader) setSize(n int) {
	f.size.Store(int64(min(max(n, FrameSize), MaxReadAhead)))
	f.resize.Store(true)
}

// peek returns the next frame's bytes, reading as many as the buffer
// takes when it holds fewer. With fewer than a frame left it returns
// those and the error that ended the reading (io.EOF at the end).
func (f *frameReader) peek() ([]byte, error) {
	empty := 0
	for f.w-f.r < FrameSize {
		if f.err != nil {
			err := f.err
			f.err = nil
			return f.buf[f.r:f.w], err
		}
		f.makeRoom()
		n, err := f.src.Read(f.buf[f.w:])
		if n < 0 || n > len(f.buf)-f.w {
			return f.buf[f.r:f.w], io.ErrShortBuffer
		}
		f.w += n
		f.err = err
		if n > 0 {
			empty = 0
		} else if empty++; empty == 100 && err == nil {
			return f.buf[f.r:f.w], io.ErrNoProgress
		}
	}
	return f.buf[f.r : f.r+FrameSize], nil
}

// discard hands out the frame peek returned.
func (f *frameReader) discard() { f.r += FrameSize }

// makeRoom moves the bytes not yet handed out to the start of the
// buffer, into a buffer of the size asked for if it changed (or a
// larger one while they do not fit).
func (f *frameReader) makeRoom() {
	if f.buf == nil || f.resize.Load() {
		f.resize.Store(false)
		if size := max(int(f.size.Load()), f.w-f.r+FrameSize); size != len(f.buf) {
			buf := make([]byte, size)
			f.w = copy(buf, f.buf[f.r:f.w])
			f.buf, f.r = buf, 0
			return
		}
	}
	if f.r > 0 {
		f.w = copy(f.buf, f.buf[f.r:f.w])
		f.r = 0
	}
}
